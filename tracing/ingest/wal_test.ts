import assert from "node:assert/strict";
import { join } from "node:path";
import { readSegment, type WalRecord, WriteAheadLog } from "./wal.ts";

const encoder = new TextEncoder();

function record(text: string): WalRecord {
  return { signal: "traces", encoding: "json", payload: encoder.encode(text) };
}

async function files(dir: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for await (const entry of Deno.readDir(dir)) {
    found[entry.name] = (await Deno.stat(join(dir, entry.name))).size;
  }
  return found;
}

async function withDir(work: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "wal_test_" });
  try {
    await work(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("WriteAheadLog empties its segment once every item in it is settled", () =>
  withDir(async (dir) => {
    const wal = await WriteAheadLog.open(dir, { sync: false });
    const [a, b, c] = [{}, {}, {}];
    wal.append(record('{"a":1}'), [a, b]);
    wal.append(record('{"c":1}'), [c]);
    assert.equal(wal.bytes(), 2 * 12 + 14);
    wal.settle([a, c, {}]);
    assert.equal(wal.bytes(), 38, "b is not settled yet");
    assert.deepEqual(await files(dir), { "1.wal": 38 });
    wal.settle([b]);
    assert.equal(wal.bytes(), 0);
    assert.deepEqual(await files(dir), { "1.wal": 0 });
    wal.close();
    assert.deepEqual(await files(dir), {});
  }));

Deno.test("WriteAheadLog starts a new segment past its size and deletes settled old ones", () =>
  withDir(async (dir) => {
    const wal = await WriteAheadLog.open(dir, { sync: true, segmentBytes: 30 });
    const items = [{}, {}, {}];
    for (const [i, item] of items.entries()) wal.append(record(`{"n":${i}0000000000000}`), [item]);
    assert.deepEqual(Object.keys(await files(dir)).sort(), ["1.wal", "2.wal", "3.wal", "4.wal"]);
    wal.settle([items[1]!]);
    assert.deepEqual(Object.keys(await files(dir)).sort(), ["1.wal", "3.wal", "4.wal"]);
    wal.settle([items[0]!, items[2]!]);
    assert.deepEqual(await files(dir), { "4.wal": 0 });
    wal.close();
  }));

Deno.test("WriteAheadLog keeps unsettled segments on close and finds them at the next open", () =>
  withDir(async (dir) => {
    const first = await WriteAheadLog.open(dir, { sync: false });
    first.append(record('{"kept":true}'), [{}]);
    first.append(record('{"kept":2}'), [{}]);
    first.close();
    const second = await WriteAheadLog.open(dir, { sync: false });
    assert.deepEqual(second.leftover(), [join(dir, "1.wal")]);
    const segment = await readSegment(join(dir, "1.wal"));
    assert.deepEqual(
      segment.records.map((r) => new TextDecoder().decode(r.payload)),
      ['{"kept":true}', '{"kept":2}'],
    );
    assert.equal(segment.tornBytes, 0);
    assert.equal(segment.records[0]!.signal, "traces");
    assert.equal(segment.records[0]!.encoding, "json");
    await second.discard(join(dir, "1.wal"));
    second.close();
    assert.deepEqual(await files(dir), {});
  }));

Deno.test("readSegment() stops at a torn or corrupt record", () =>
  withDir(async (dir) => {
    const wal = await WriteAheadLog.open(dir, { sync: false });
    wal.append(record('{"whole":1}'), [{}]);
    wal.append(record('{"cut":2}'), [{}]);
    wal.close();
    const path = join(dir, "1.wal");
    const whole = await Deno.readFile(path);
    await Deno.writeFile(path, whole.subarray(0, whole.byteLength - 3));
    const torn = await readSegment(path);
    assert.equal(torn.records.length, 1);
    assert.equal(torn.tornBytes, 12 + 6);
    const corrupt = whole.slice();
    corrupt[corrupt.byteLength - 2] = corrupt.at(-2)! ^ 0xff;
    await Deno.writeFile(path, corrupt);
    const flipped = await readSegment(path);
    assert.equal(flipped.records.length, 1);
    assert.equal(flipped.tornBytes, 12 + 9);
  }));
