import assert from "node:assert/strict";
import { LineBuffer } from "./log_buffer.ts";
import type { ChunkSink } from "./stdout_thread.ts";

/** A sink whose writes complete only when the test says so, like a stdout read by the test. */
class HeldSink implements ChunkSink {
  readonly chunks: string[] = [];
  unwritten = 0;
  send(text: string): boolean {
    this.chunks.push(text);
    this.unwritten += text.length;
    return true;
  }
  unwrittenBytes(): number {
    return this.unwritten;
  }
  drainSync(): boolean {
    return this.unwritten === 0;
  }
}

function setup(options: { maxUnwrittenBytes?: number; flushChars?: number } = {}) {
  const sink = new HeldSink();
  const timers: (() => void)[] = [];
  const warnings: number[] = [];
  const buffer = new LineBuffer({
    sink,
    maxUnwrittenBytes: options.maxUnwrittenBytes ?? 1000,
    flushChars: options.flushChars ?? 100,
    maxAgeMs: 100,
    warn: (dropped) => warnings.push(dropped),
    schedule: (flush, ms) => {
      assert.equal(ms, 100);
      timers.push(flush);
    },
  });
  return { sink, timers, warnings, buffer };
}

Deno.test("LineBuffer hands lines over in one chunk once they pass the size", () => {
  const { sink, buffer } = setup({ flushChars: 30 });
  buffer.write("0123456789");
  buffer.write("0123456789");
  assert.deepEqual(sink.chunks, []);
  buffer.write("0123456789");
  assert.deepEqual(sink.chunks, ["0123456789\n0123456789\n0123456789\n"]);
});

Deno.test("LineBuffer hands lines over when the oldest reaches the age", () => {
  const { sink, timers, buffer } = setup();
  buffer.write("a");
  buffer.write("b");
  assert.equal(timers.length, 1, "one timer for the oldest line, not one a line");
  timers.shift()!();
  assert.deepEqual(sink.chunks, ["a\nb\n"]);
  buffer.write("c");
  assert.equal(timers.length, 1);
  buffer.flush();
  timers.shift()!();
  assert.deepEqual(sink.chunks, ["a\nb\n", "c\n"], "a timer finding nothing writes nothing");
});

Deno.test("LineBuffer drops and counts lines past the cap and warns once per run", () => {
  const { sink, buffer, warnings } = setup({ maxUnwrittenBytes: 30, flushChars: 10 });
  buffer.write("123456789"); // 10 characters with the newline: handed over
  buffer.write("123456789");
  buffer.write("123456789");
  assert.equal(sink.unwritten, 30);
  buffer.write("dropped");
  buffer.write("dropped");
  assert.equal(buffer.dropped, 2);
  assert.deepEqual(warnings, [], "no warning while lines are still dropped");
  sink.unwritten = 0; // the reader caught up
  buffer.write("taken");
  assert.deepEqual(warnings, [2]);
  assert.equal(buffer.unwrittenBytes(), "taken\n".length);
  buffer.write("x".repeat(40)); // bigger than the cap on its own
  assert.equal(buffer.dropped, 3);
  buffer.drainSync(0);
  assert.deepEqual(warnings, [2, 1], "drainSync tells the drops not told yet");
});
