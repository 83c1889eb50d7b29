import assert from "node:assert/strict";
import { LoadOptionsError, parseLoadOptions, weightedPicker } from "./options.ts";

Deno.test("parseLoadOptions() takes the defaults: loopback targets, 10/s for 30 s", () => {
  const options = parseLoadOptions([]);
  assert.equal(options?.rate, 10);
  assert.equal(options?.durationSeconds, 30);
  assert.equal(options?.concurrency, 50);
  assert.equal(options?.targets.user, "http://127.0.0.1:3001");
  assert.equal(options?.weights.get_user, 4);
});

Deno.test("parseLoadOptions() refuses a non-loopback target without --allow-remote", async (t) => {
  await t.step("refused", () => {
    assert.throws(() => parseLoadOptions(["--order-url=http://example.com"]), (error: Error) => {
      assert.ok(error instanceof LoadOptionsError);
      assert.deepEqual(error.problems, [
        'Refusing --order-url "http://example.com": not a loopback address; pass --allow-remote to load it',
      ]);
      return true;
    });
  });
  await t.step("allowed", () => {
    const options = parseLoadOptions(["--order-url=http://example.com/", "--allow-remote"]);
    assert.equal(options?.targets.order, "http://example.com");
  });
  await t.step("loopback spellings", () => {
    for (const url of ["http://localhost:1", "http://127.0.0.2:1", "http://[::1]:1"]) {
      assert.equal(parseLoadOptions([`--user-url=${url}`])?.targets.user, url);
    }
  });
});

Deno.test("parseLoadOptions() lists every bad option", () => {
  assert.throws(
    () => parseLoadOptions(["--rate=0", "--duration=4000", "--mix=order=x,nope=1", "--speed=2"]),
    (error: Error) => {
      assert.ok(error instanceof LoadOptionsError);
      assert.deepEqual(error.problems, [
        'Unknown option "--speed": see --help',
        'Invalid --rate "0": expected a number from 0.1 to 1000',
        'Invalid --duration "4000": expected a number from 1 to 3600',
        'Invalid --mix entry "order=x": expected a weight of at least 0',
        'Invalid --mix entry "nope=1": expected one of create_user, get_user, order, order_unknown_user, send_high, send_normal, send_low, send_bulk',
      ]);
      return true;
    },
  );
});

Deno.test("weightedPicker() picks by weight and never a weight of 0", () => {
  const draws = [0, 0.24, 0.25, 0.99];
  let i = 0;
  const pick = weightedPicker({ a: 1, none: 0, b: 3 }, () => draws[i++]!);
  assert.deepEqual(draws.map(() => pick()), ["a", "a", "b", "b"]);
});
