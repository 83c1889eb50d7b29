/** Starts `user` and `order` as real processes wired to each other, for end-to-end tests. */
import { type ServiceProcess, startServiceProcess } from "../lib/testing/service_process.ts";

/** The two running services and their shared data directory. */
export interface OrderUserPair {
  user: ServiceProcess;
  order: ServiceProcess;
  dataDir: string;
  /** Stops both (SIGTERM), removes the data directory, returns the exit codes. */
  stop(): Promise<{ user: number; order: number }>;
}

/** Telemetry env for exporting OTLP JSON to `endpoint`; `deno` selects Deno's built-in mode. */
export function telemetryEnv(endpoint: string, mode: "sdk" | "deno"): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_BSP_SCHEDULE_DELAY: "200",
    ...(mode === "deno" ? { OTEL_DENO: "true" } : {}),
  };
}

/** Starts user, then order pointed at it. */
export async function startOrderUserPair(env: Record<string, string>): Promise<OrderUserPair> {
  const dataDir = await Deno.makeTempDir({ prefix: "e2e-order-user-" });
  const user = await startServiceProcess({ service: "user", dataDir, env });
  let order: ServiceProcess;
  try {
    order = await startServiceProcess({
      service: "order",
      dataDir,
      env: { ...env, USER_SERVICE_URL: user.url },
    });
  } catch (error) {
    await user.stop();
    await Deno.remove(dataDir, { recursive: true });
    throw error;
  }
  return {
    user,
    order,
    dataDir,
    stop: async () => {
      const codes = { order: await order.stop(), user: await user.stop() };
      await Deno.remove(dataDir, { recursive: true });
      return codes;
    },
  };
}
