import assert from "node:assert/strict";
import {
  applyFaultChange,
  delayFault,
  InvalidFaultChangeError,
  parseFaultList,
  shareFault,
  switchFault,
} from "./fault.ts";
import { createLogger } from "../log.ts";
import { FaultRegistry, UnknownFaultError } from "./registry.ts";

const SLOW = delayFault("slow", { description: "waits", delayMs: 300, jitterMs: 30 });
const FLAKY = shareFault("flaky", { description: "fails", rate: 0.2 });
const SERIAL = switchFault("serial", { description: "one at a time" });
const DECLARED = [SLOW, FLAKY, SERIAL];

Deno.test("applyFaultChange() keeps the parameters a change leaves out", () => {
  assert.deepEqual(applyFaultChange(SLOW, SLOW.initial, { enabled: true, delay_ms: 50 }), {
    enabled: true,
    delay_ms: 50,
    jitter_ms: 30,
  });
  assert.deepEqual(applyFaultChange(FLAKY, FLAKY.initial, { enabled: true }), {
    enabled: true,
    rate: 0.2,
  });
});

Deno.test("applyFaultChange() rejects what the fault's kind does not take", async (t) => {
  const cases: [typeof SLOW, unknown, RegExp][] = [
    [SLOW, { enabled: true, delay_ms: -1 }, /delay_ms: expected at least 0;/],
    [SLOW, { enabled: true, rate: 0.5 }, /unknown field "rate"/],
    [SLOW, { delay_ms: 5 }, /enabled/],
    [FLAKY, { enabled: true, rate: 1.5 }, /rate: expected at most 1;/],
    [SERIAL, { enabled: "yes" }, /enabled/],
    [SERIAL, [], /expected \{"enabled":true\}/],
  ];
  for (const [fault, change, message] of cases) {
    await t.step(`${fault.name} ${JSON.stringify(change)}`, () => {
      assert.throws(() => applyFaultChange(fault, fault.initial, change), (error: Error) => {
        assert.ok(error instanceof InvalidFaultChangeError);
        assert.match(error.message, message);
        assert.match(error.message, new RegExp(`^Invalid change of fault "${fault.name}": `));
        return true;
      });
    });
  }
});

Deno.test("parseFaultList() switches on each named fault with its parameters", () => {
  const states = parseFaultList("slow:delay_ms=40, jitter_ms=0 ; serial", DECLARED);
  assert.ok(states instanceof Map);
  assert.deepEqual(Object.fromEntries(states), {
    slow: { enabled: true, delay_ms: 40, jitter_ms: 0 },
    serial: { enabled: true },
  });
});

Deno.test("parseFaultList() reports every bad entry", () => {
  const problems = parseFaultList("nope;flaky:rate=2;slow:delay_ms=abc", DECLARED);
  assert.ok(Array.isArray(problems));
  assert.equal(problems.length, 3);
  assert.match(problems[0]!, /^unknown fault "nope" \(known: slow, flaky, serial\)$/);
  assert.match(problems[1]!, /"flaky": rate/);
  assert.match(problems[2]!, /"slow": delay_ms/);
});

Deno.test("FaultRegistry draws delays within the jitter and hits the share it is set to", () => {
  const draws = [0, 0.5, 0.9999];
  let next = 0;
  const faults = new FaultRegistry(DECLARED, { random: () => draws[next++ % draws.length]! });
  assert.equal(faults.delay("slow"), undefined, "off until switched on");
  faults.change("slow", { enabled: true });
  assert.deepEqual(
    [faults.delay("slow")?.ms, faults.delay("slow")?.ms, faults.delay("slow")?.ms],
    [270, 300, 330],
  );
  faults.change("flaky", { enabled: true, rate: 0.5 });
  assert.deepEqual([faults.hits("flaky"), faults.hits("flaky")], [{ rate: 0.5 }, undefined]);
  assert.throws(() => faults.change("missing", { enabled: true }), UnknownFaultError);
  assert.deepEqual(Object.fromEntries(faults.switchCounts()), { "slow,on": 1, "flaky,on": 1 });
});

Deno.test("FaultRegistry logs each switch with where it came from", () => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ service: "test", write: (line) => lines.push(JSON.parse(line)) });
  const faults = new FaultRegistry(DECLARED, {
    logger,
    initial: new Map([["serial", { enabled: true }]]),
  });
  faults.change("serial", { enabled: false });
  const fields = ["msg", "fault", "enabled", "source"];
  assert.deepEqual(lines.map((line) => fields.map((field) => line[field])), [
    ["Fault switched on", "serial", true, "start"],
    ["Fault switched off", "serial", false, "api"],
  ]);
});
