/**
 * The environment `deno task dev` gives each service: its name for Deno's built-in telemetry, the
 * pretty log format, and with DEV_PORT_OFFSET every default port moved by the offset (and the
 * addresses the services use to reach each other with them), so a second stack or a test can run
 * beside the first.
 */
import { SERVICE_SPECS, type ServiceName } from "./service_specs.ts";

/** The largest offset that keeps every default port (tracing's 16686 the highest) valid. */
const MAX_PORT_OFFSET = 65535 - Math.max(...Object.values(SERVICE_SPECS).map((s) => s.port));

/** DEV_PORT_OFFSET: an integer from 0 that keeps every port below 65536; unset is 0. */
export function parsePortOffset(text: string | undefined): number {
  if (text === undefined || text === "") return 0;
  const offset = Number(text);
  if (!/^\d+$/.test(text) || offset > MAX_PORT_OFFSET) {
    throw new Error(
      `Invalid DEV_PORT_OFFSET "${text}": expected an integer from 0 to ${MAX_PORT_OFFSET}`,
    );
  }
  return offset;
}

function defaultOf(service: ServiceName, variable: string): number {
  const declared = SERVICE_SPECS[service].groups.flatMap((group) => group.variables)
    .find((v) => v.name === variable)?.default;
  return Number(declared);
}

/** What `service` gets on top of the inherited `env`; variables `env` sets are never overridden. */
export function devEnv(
  service: string,
  env: Readonly<Record<string, string>>,
  portOffset: number,
): Record<string, string> {
  const wanted: Record<string, string> = {
    // Deno's built-in telemetry (OTEL_DENO=true) reads the name before our code runs.
    OTEL_SERVICE_NAME: service,
    LOG_FORMAT: "pretty",
  };
  if (portOffset !== 0 && service in SERVICE_SPECS) {
    const otlpPort = defaultOf("tracing", "OTLP_PORT") + portOffset;
    wanted.PORT = String(SERVICE_SPECS[service as ServiceName].port + portOffset);
    wanted.OTEL_EXPORTER_OTLP_ENDPOINT = `http://localhost:${otlpPort}`;
    if (service === "tracing") {
      wanted.OTLP_PORT = String(otlpPort);
      // The Faults page reaches the services at their moved ports.
      wanted.SERVICE_URLS = (["user", "order", "producer", "consumer"] as const)
        .map((name) => `${name}=http://127.0.0.1:${SERVICE_SPECS[name].port + portOffset}`)
        .join(",");
    }
    if (service === "order") {
      wanted.USER_SERVICE_URL = `http://127.0.0.1:${SERVICE_SPECS.user.port + portOffset}`;
    }
  }
  return Object.fromEntries(Object.entries(wanted).filter(([name]) => env[name] === undefined));
}
