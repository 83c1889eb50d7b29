/** Run with OTEL_DENO=true: Deno's built-in exporter sends a trace, a log and a metric. */
import { metrics, trace } from "@opentelemetry/api";
import { createLogger } from "../../lib/log.ts";

const logger = createLogger({ service: "deno-builtin" });
const counter = metrics.getMeter("script").createCounter("script_runs");
await trace.getTracer("script").startActiveSpan("deno script work", async (span) => {
  counter.add(1);
  logger.info("hello from the built-in exporter", { trace: span.spanContext().traceId });
  await new Promise((resolve) => setTimeout(resolve, 5));
  span.end();
});
