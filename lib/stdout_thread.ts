/**
 * Writes to stdout from a thread of its own, so that a slow or blocked reader of stdout stalls
 * that thread and never the event loop. The main thread copies each chunk into a ring of shared
 * memory and moves the ring's head; the thread writes what lies between its tail and the head and
 * moves the tail. No message is posted (a `postMessage` costs tens of µs here), and the main
 * thread always knows what is still unwritten and can wait for it, synchronously and with a
 * deadline, before the process ends. (`Deno.stdout.write` is no answer: a process that exits
 * while such a write is under way loses the rest of it.)
 */
import { Worker } from "node:worker_threads";

/** Where a line buffer sends its chunks. */
export interface ChunkSink {
  /** Takes `text` to be written (as UTF-8), without blocking; `false` (nothing taken) when full. */
  send(text: string): boolean;
  /** Bytes taken and not written yet. */
  unwrittenBytes(): number;
  /** Waits at most `timeoutMs` until every byte taken is written; whether all were. */
  drainSync(timeoutMs: number): boolean;
}

const HEAD = 0;
const TAIL = 1;

// Evaluated as CommonJS by node:worker_threads, so loading it needs no read permission (a
// module URL would). A failed write (stdout closed) still moves the tail: those bytes are gone.
const THREAD_SOURCE = `
const { workerData } = require("node:worker_threads");
const control = new Int32Array(workerData.control);
const ring = new Uint8Array(workerData.ring);
const size = ring.length;
const local = new Uint8Array(size);
for (;;) {
  const head = Atomics.load(control, ${HEAD});
  const tail = Atomics.load(control, ${TAIL});
  if (head === tail) {
    Atomics.wait(control, ${HEAD}, head);
    continue;
  }
  let length;
  if (head > tail) {
    local.set(ring.subarray(tail, head));
    length = head - tail;
  } else {
    local.set(ring.subarray(tail), 0);
    local.set(ring.subarray(0, head), size - tail);
    length = size - tail + head;
  }
  try {
    let offset = 0;
    while (offset < length) offset += Deno.stdout.writeSync(local.subarray(offset, length));
  } catch {}
  Atomics.store(control, ${TAIL}, head);
  Atomics.notify(control, ${TAIL});
}
`;

/**
 * A `ChunkSink` for stdout holding at most `capacity` bytes, its thread started on first use. If
 * the thread cannot run (it failed to start or died), writes fall back to the calling thread,
 * synchronously, so that no line is silently lost.
 */
export class StdoutThread implements ChunkSink {
  readonly #control = new Int32Array(new SharedArrayBuffer(8));
  readonly #ring: Uint8Array;
  readonly #encoder = new TextEncoder();
  readonly #source: string;
  #worker: Worker | undefined;
  #failed = false;

  /** `threadSource` replaces the thread's code, for tests of the fallback. */
  constructor(capacity: number, options: { threadSource?: string } = {}) {
    // One byte stays free, so that head === tail means empty.
    this.#ring = new Uint8Array(new SharedArrayBuffer(capacity + 1));
    this.#source = options.threadSource ?? THREAD_SOURCE;
  }

  /**
   * Starts the thread now rather than on the first chunk: starting it stalls the event loop for
   * some milliseconds, which a service had better spend before it listens than under load.
   */
  start(): void {
    if (this.#worker !== undefined || this.#failed) return;
    try {
      this.#worker = new Worker(this.#source, {
        eval: true,
        workerData: { control: this.#control.buffer, ring: this.#ring.buffer },
      });
    } catch {
      this.#fail();
      return;
    }
    // The thread loops for ever: its ending at all means it failed.
    this.#worker.on("error", () => this.#fail());
    this.#worker.on("exit", () => this.#fail());
    // An idle writer thread must not keep a finished process alive.
    this.#worker.unref();
  }

  send(text: string): boolean {
    const size = this.#ring.length;
    const free = size - 1 - this.unwrittenBytes();
    // UTF-8 takes at most 3 bytes per UTF-16 unit; only a tight fit needs the exact length.
    if (text.length * 3 > free && this.#encoder.encode(text).length > free) return false;
    this.start();
    if (this.#failed) {
      writeAll(this.#encoder.encode(text));
      return true;
    }
    const head = Atomics.load(this.#control, HEAD);
    // Encoded straight into the ring: TextEncoder.encode of 16 KiB costs ten times as much.
    const first = this.#encoder.encodeInto(text, this.#ring.subarray(head));
    let written = first.written;
    if (first.read < text.length) {
      // The ring wraps: the rest's bytes fill the end (a character may be split), then the start.
      const rest = this.#encoder.encode(text.slice(first.read));
      const atEnd = size - head - written;
      this.#ring.set(rest.subarray(0, atEnd), head + written);
      this.#ring.set(rest.subarray(atEnd), 0);
      written += rest.length;
    }
    Atomics.store(this.#control, HEAD, (head + written) % size);
    Atomics.notify(this.#control, HEAD);
    return true;
  }

  unwrittenBytes(): number {
    const size = this.#ring.length;
    const head = Atomics.load(this.#control, HEAD);
    const tail = Atomics.load(this.#control, TAIL);
    return (head - tail + size) % size;
  }

  /** Writes what the dead thread left in the ring, here and now, and writes here from now on. */
  #fail(): void {
    if (this.#failed) return;
    this.#failed = true;
    const head = Atomics.load(this.#control, HEAD);
    const tail = Atomics.load(this.#control, TAIL);
    if (head === tail) return;
    const pending = head > tail
      ? this.#ring.slice(tail, head)
      : new Uint8Array([...this.#ring.subarray(tail), ...this.#ring.subarray(0, head)]);
    Atomics.store(this.#control, TAIL, head);
    writeAll(pending);
  }

  drainSync(timeoutMs: number): boolean {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const tail = Atomics.load(this.#control, TAIL);
      if (tail === Atomics.load(this.#control, HEAD)) return true;
      const left = deadline - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.#control, TAIL, tail, left);
    }
  }
}

function writeAll(bytes: Uint8Array): void {
  try {
    let offset = 0;
    while (offset < bytes.length) offset += Deno.stdout.writeSync(bytes.subarray(offset));
  } catch {
    // stdout is closed: nothing left to write to.
  }
}
