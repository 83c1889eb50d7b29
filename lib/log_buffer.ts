/**
 * Gathers log lines and hands them to a `ChunkSink` in one piece when they pass `flushChars`
 * (about 16 KiB) or the oldest is `maxAgeMs` old, so a line costs a string append instead of a
 * write. It is bounded: while more than `maxUnwrittenBytes` wait (the reader of stdout is slow or
 * gone), new lines are dropped and counted, never waited for; once lines are taken again, `warn`
 * hears how many were dropped, once per run of drops.
 */
import type { ChunkSink } from "./stdout_thread.ts";

/** About 16 KiB: one write per this many characters of lines. */
export const FLUSH_CHARS = 16 * 1024;

/** The oldest a line waits in the buffer. */
export const MAX_AGE_MS = 100;

/** Options of `LineBuffer`. */
export interface LineBufferOptions {
  sink: ChunkSink;
  /** Past this many bytes waiting (buffered or handed over), lines are dropped. */
  maxUnwrittenBytes: number;
  /** Told how many lines were dropped, when a run of drops ends and at `drainSync`. */
  warn: (dropped: number) => void;
  flushChars?: number;
  maxAgeMs?: number;
  /** Runs `flush` once after `ms`; the default is a timer that does not keep the process alive. */
  schedule?: (flush: () => void, ms: number) => void;
}

/** A bounded buffer of lines in front of one output stream. */
export class LineBuffer {
  readonly #sink: ChunkSink;
  readonly #maxUnwritten: number;
  readonly #flushChars: number;
  readonly #maxAgeMs: number;
  readonly #warn: (dropped: number) => void;
  readonly #schedule: (flush: () => void, ms: number) => void;
  #text = "";
  #lines = 0;
  #timerPending = false;
  /** What the sink held unwritten at the last look; it only shrinks until the next flush. */
  #sinkUnwritten = 0;
  #dropped = 0;
  #unreported = 0;

  constructor(options: LineBufferOptions) {
    this.#sink = options.sink;
    this.#maxUnwritten = options.maxUnwrittenBytes;
    this.#flushChars = options.flushChars ?? FLUSH_CHARS;
    this.#maxAgeMs = options.maxAgeMs ?? MAX_AGE_MS;
    this.#warn = options.warn;
    this.#schedule = options.schedule ?? scheduleUnref;
  }

  /** Lines dropped so far because too many bytes waited. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Bytes buffered or handed over and not written yet. */
  unwrittenBytes(): number {
    return this.#sink.unwrittenBytes() + this.#text.length;
  }

  /** Buffers `line` (a newline is added), or drops and counts it when the buffer is full. */
  write(line: string): void {
    const size = line.length + 1;
    if (this.#sinkUnwritten + this.#text.length + size > this.#maxUnwritten) {
      // The cached figure may be stale: look at what the sink really still holds.
      this.#sinkUnwritten = this.#sink.unwrittenBytes();
      if (this.#sinkUnwritten + this.#text.length + size > this.#maxUnwritten) {
        this.#dropped++;
        this.#unreported++;
        return;
      }
    }
    if (this.#unreported > 0) this.#report();
    this.#text += `${line}\n`;
    this.#lines++;
    if (this.#text.length >= this.#flushChars) this.flush();
    else if (!this.#timerPending) {
      this.#timerPending = true;
      this.#schedule(() => {
        this.#timerPending = false;
        this.flush();
      }, this.#maxAgeMs);
    }
  }

  /** Hands what is buffered to the sink now. */
  flush(): void {
    if (this.#text === "") return;
    const text = this.#text;
    const lines = this.#lines;
    this.#text = "";
    this.#lines = 0;
    if (!this.#sink.send(text)) {
      // Lines beyond ASCII encode to more bytes than they counted as: the sink had no room.
      this.#dropped += lines;
      this.#unreported += lines;
    }
    this.#sinkUnwritten = this.#sink.unwrittenBytes();
  }

  /**
   * Flushes and waits, blocking, at most `timeoutMs` for every line to be written: for the moment
   * before the process ends. Reports drops not reported yet. Whether everything was written.
   */
  drainSync(timeoutMs: number): boolean {
    this.flush();
    const written = this.#sink.drainSync(timeoutMs);
    if (this.#unreported > 0) this.#report();
    return written;
  }

  #report(): void {
    const dropped = this.#unreported;
    this.#unreported = 0;
    this.#warn(dropped);
  }
}

function scheduleUnref(flush: () => void, ms: number): void {
  Deno.unrefTimer(setTimeout(flush, ms));
}
