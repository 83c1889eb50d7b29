import assert from "node:assert/strict";
import { REPO_ROOT } from "./testing/service_process.ts";

const CHILD = "lib/testdata/log_output_child.ts";
const LINES = 20_000;
/** Room for every line at once: these runs test the flush at exit, not the cap. */
const ROOMY = String(64 * 1024 * 1024);

interface ChildRun {
  code: number;
  stdout: string[];
  stderr: string;
}

async function runChild(args: string[]): Promise<ChildRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", CHILD, ...args],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout).split("\n").filter((line) => line !== "");
  return { code: output.code, stdout, stderr: new TextDecoder().decode(output.stderr) };
}

/** Every info line of the child, in order, with no line lost or torn. */
function assertAllLines(stdout: readonly string[], format: string): void {
  assert.equal(stdout.length, LINES, `expected ${LINES} lines, got ${stdout.length}`);
  stdout.forEach((line, i) => {
    if (format === "json") assert.equal(JSON.parse(line).i, i, line);
    else assert.ok(line.includes(` Line i=${i}`), line);
  });
}

Deno.test("The buffered log output writes every line before the process ends", async (t) => {
  for (const format of ["json", "pretty"]) {
    await t.step(`${format}: when the event loop runs out`, async () => {
      const run = await runChild(["end", String(LINES), format, ROOMY]);
      assert.equal(run.code, 0, run.stderr);
      assertAllLines(run.stdout, format);
      assert.match(run.stderr, /Warned/);
    });
    await t.step(`${format}: at Deno.exit`, async () => {
      const run = await runChild(["exit", String(LINES), format, ROOMY]);
      assert.equal(run.code, 3, run.stderr);
      assertAllLines(run.stdout, format);
    });
    await t.step(`${format}: before an uncaught error ends it`, async () => {
      const run = await runChild(["throw", String(LINES), format, ROOMY]);
      assert.equal(run.code, 1);
      assertAllLines(run.stdout, format);
      assert.match(run.stderr, /Thrown on purpose/);
    });
    await t.step(`${format}: before an unhandled rejection ends it`, async () => {
      const run = await runChild(["reject", String(LINES), format, ROOMY]);
      assert.equal(run.code, 1);
      assertAllLines(run.stdout, format);
      assert.match(run.stderr, /Rejected on purpose/);
    });
  }
});

Deno.test("The buffered log output drops and counts lines while nobody reads stdout", async () => {
  const maxUnwritten = 16 * 1024;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", CHILD, "stats", String(LINES), "json", String(maxUnwritten)],
    cwd: REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // stdout is not read until the child has exited: its pipe fills and stays full. Logging must
  // go on regardless; a child stuck in a write would never get to print its counts.
  const stderrText = new Response(child.stderr).text();
  const status = await child.status;
  const stdout = (await new Response(child.stdout).text()).split("\n").filter((line) => line);
  const stderr = (await stderrText).split("\n").filter((line) => line !== "");
  assert.equal(status.code, 0, stderr.join("\n"));

  const stats = JSON.parse(stderr.find((line) => line.startsWith('{"mode"')) ?? "null");
  assert.equal(stats.mode, "buffered");
  assert.ok(stats.droppedLines > 0, `nothing was dropped: ${JSON.stringify(stats)}`);
  // What was not dropped arrived in order, but for what still waited when the child exited
  // (it waits a bounded time for stdout): at most the cap, and said so.
  const unwritten = LINES - stdout.length - stats.droppedLines;
  assert.ok(unwritten >= 0 && unwritten * '{"i":0}'.length <= maxUnwritten, `${unwritten} lost`);
  const lost = stderr.find((line) => line.includes("Log lines lost at exit"));
  if (unwritten > 0) assert.ok(JSON.parse(lost ?? "{}").unwritten_bytes > 0, stderr.join("\n"));
  const indexes = stdout.map((line) => JSON.parse(line).i as number);
  assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b));
  // Each run of drops is told once, with its count; together they are every dropped line.
  const warnings = stderr.filter((line) => line.includes("Log lines dropped")).map((line) =>
    JSON.parse(line)
  );
  assert.ok(warnings.length >= 1);
  assert.ok(warnings.every((warning) => warning.level === "warn"));
  assert.equal(warnings.reduce((sum, warning) => sum + warning.dropped, 0), stats.droppedLines);
});
