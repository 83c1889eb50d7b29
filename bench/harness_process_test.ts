/**
 * Proves the benchmark harness works end to end on a tiny load (`--smoke`, every scenario): it
 * starts its processes, runs its loads, and writes well-formed results. Speed is never asserted:
 * CI machines are too noisy for that, and the figures are not the point here. RabbitMQ and
 * PostgreSQL must answer, as for the other process tests.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import type { Report } from "./report.ts";
import { SCENARIOS } from "./settings.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

Deno.test("deno task bench --smoke runs every scenario and writes well-formed rows", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "bench/main.ts",
      "--smoke",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 0, `bench exited with ${output.code}:\n${stderr}\n${stdout}`);
  const path = /^Written to (.+\.json)$/m.exec(stdout)?.[1];
  assert.ok(path !== undefined, `No "Written to" line in:\n${stdout}`);
  const report = JSON.parse(await Deno.readTextFile(path)) as Report;
  await Deno.remove(path);

  assert.equal(report.schema, "bench-results/v1");
  assert.equal(report.mode, "smoke");
  assert.ok(report.machine.nproc >= 1);
  assert.equal(typeof report.machine.cpuModel, "string");
  assert.deepEqual(report.settings.scenarios, [...SCENARIOS]);
  const scenarios = new Set(report.rows.map((row) => row.scenario.split(" ")[0]));
  assert.deepEqual([...scenarios].sort(), ["1", "2", "3", "4", "5", "6", "7"]);

  const http = report.rows.filter((row) => row.scenario.startsWith("1 "));
  const variants = new Set(http.map((row) => row.variant));
  assert.deepEqual([...variants].sort(), [
    "as shipped: 100%, request lines to a pipe, OTLP logs",
    "sampled 10%",
    "sampled 100%",
    "sampled 100%, OTLP JSON",
    "sampled 100%, PostgreSQL",
    "sampled 100%, request logs to stdout",
    "unsampled (ratio 0)",
    "untraced",
    "untraced, PostgreSQL",
  ]);
  for (const row of report.rows) {
    const name = `${row.scenario} ${row.variant} ${row.metric}`;
    assert.equal(typeof row.unit, "string", name);
    assert.ok(row.samples.length >= 1, name);
    for (const value of row.samples) assert.ok(value === null || typeof value === "number", name);
    if (Number.isFinite(row.median)) {
      assert.ok(row.min <= row.median && row.median <= row.max, name);
    }
  }
  for (const variant of variants) {
    const throughput = http.find((r) => r.variant === variant && r.metric === "throughput");
    assert.ok(throughput !== undefined, `no throughput row for ${variant}`);
    assert.equal(throughput.samples.length, report.settings.repeats);
    assert.ok(throughput.samples.every((value) => value > 0), `no 2xx answers for ${variant}`);
    if (variant === "untraced") assert.equal(throughput.ratio, undefined);
    else assert.equal(typeof throughput.ratio, "number");
  }
  for (const variant of ["sampled 100%", "sampled 100%, OTLP JSON", "sampled 100%, PostgreSQL"]) {
    const created = http.find((r) => r.variant === variant && r.metric === "spans created");
    assert.ok(created !== undefined && created.median > 0, `${variant} created no spans`);
    const exported = http.find((r) =>
      r.variant === variant && r.metric === "spans exported / created"
    );
    assert.ok(exported !== undefined && exported.median > 0, `${variant} exported no spans`);
  }
  const shipped = http.find((r) =>
    r.variant === "as shipped: 100%, request lines to a pipe, OTLP logs" &&
    r.metric === "log records exported"
  );
  assert.ok(shipped !== undefined && shipped.median > 0, "no request log record was shipped");
  const inprocess = report.rows.filter((row) => row.scenario.startsWith("7 "));
  for (const variant of ["untraced", "unsampled (ratio 0)", "sampled 100%", "plain SDK 100%"]) {
    const cpu = inprocess.find((r) => r.variant === variant && r.metric === "CPU per request");
    assert.ok(cpu !== undefined && cpu.median > 0, `scenario 7 has no ${variant} run`);
  }
  assert.ok(Array.isArray(report.targets));
  assert.match(stdout, /\| scenario +\| variant +\| metric +\| median +\| min +\| max +\| ratio/);
});
