/**
 * A process that logs through the buffered output, for lib/log_output_process_test.ts:
 *
 *   deno run lib/testdata/log_output_child.ts <ending> <lines> <format> [maxUnwrittenBytes]
 *
 * It logs `lines` info lines ("Line" with `i`), one warning, then ends as `ending` says: `end`
 * (the event loop runs out), `exit` (Deno.exit(3)), `throw` (an uncaught error), `reject` (an
 * unhandled rejection), or `stats` (logs its lines over many event-loop turns, then prints
 * `logOutputStats()` as JSON on stderr and exits 0; for a stdout nobody reads).
 */
import { createLogger, type LogFormat } from "../log.ts";
import { configureLogOutput, logOutputStats } from "../log_output.ts";

const [ending = "end", count = "100", format = "json", max = String(1024 * 1024)] = Deno.args;
configureLogOutput({
  mode: "buffered",
  maxUnwrittenBytes: Number(max),
  service: "child",
  format: format as LogFormat,
});
const logger = createLogger({ service: "child", format: format as LogFormat });
const lines = Number(count);

if (ending === "stats") {
  for (let i = 0; i < lines; i++) {
    logger.info("Line", { i });
    // Let the writer thread and the age timer run, as they would between requests.
    if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  Deno.stderr.writeSync(new TextEncoder().encode(`${JSON.stringify(logOutputStats())}\n`));
  Deno.exit(0);
}
for (let i = 0; i < lines; i++) logger.info("Line", { i });
logger.warn("Warned");
if (ending === "exit") Deno.exit(3);
if (ending === "throw") {
  setTimeout(() => {
    throw new Error("Thrown on purpose");
  }, 0);
}
if (ending === "reject") void Promise.reject(new Error("Rejected on purpose"));
