/**
 * Asks an OTLP/HTTP traces endpoint whether it takes exports again, with an empty export request
 * (no resource spans): valid OTLP that stores nothing, so it costs the collector next to nothing.
 */
import type { TelemetryConfig } from "./config.ts";

/** What `createExportProbe` needs of the telemetry settings. */
export type ExportProbeConfig = Pick<
  TelemetryConfig,
  "tracesEndpoint" | "protocol" | "headers" | "exportTimeoutMs"
>;

/** The longest a probe waits for an answer; a collector slower than this is not back yet. */
const PROBE_TIMEOUT_MS = 1000;

/** Returns a probe that resolves `true` when the endpoint answers an empty export with 2xx. */
export function createExportProbe(
  config: ExportProbeConfig,
  fetchFn: typeof fetch = fetch,
): () => Promise<boolean> {
  const json = config.protocol === "http/json";
  const headers = {
    ...config.headers,
    "content-type": json ? "application/json" : "application/x-protobuf",
  };
  const timeoutMs = Math.min(config.exportTimeoutMs, PROBE_TIMEOUT_MS);
  return async () => {
    try {
      const response = await fetchFn(config.tracesEndpoint, {
        method: "POST",
        headers,
        // An ExportTraceServiceRequest with no resource spans: `{}`, or zero protobuf bytes.
        body: json ? "{}" : new Uint8Array(0),
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  };
}
