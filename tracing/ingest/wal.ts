/**
 * The ingest write-ahead log: an accepted OTLP payload is appended here before the request is
 * answered, so a crash between the answer and the store's commit loses nothing; at start the
 * service replays what was left (see wal_replay.ts).
 *
 * Files `<n>.wal` in one folder; each record is a 12-byte header (payload length, signal,
 * encoding, reserved, CRC-32 of the payload, little-endian) and the decoded payload. The log
 * knows which segment holds each accepted item; once every item of a segment is written to the
 * store or dropped by design (sampling, a full queue, a store error), the segment is emptied or
 * deleted, so the log holds only what is not yet settled. Appends reach the OS before the answer
 * (which survives the process being killed); with `sync` they also reach the disk (which survives
 * power loss) at the cost of an fdatasync per request.
 */
import { crc32 } from "node:zlib";
import { join } from "node:path";

/** What a record holds: one request's decoded body. */
export interface WalRecord {
  signal: "traces" | "logs";
  encoding: "json" | "protobuf";
  payload: Uint8Array;
}

/** Options of `WriteAheadLog.open`. */
export interface WalOptions {
  /** fdatasync every append before it returns. */
  sync: boolean;
  /** A segment is closed and a new one started past this size. */
  segmentBytes?: number;
}

/** A segment file read back at start. */
export interface RecoveredSegment {
  path: string;
  records: WalRecord[];
  /** Bytes at the end that are not a whole, intact record (a write cut short by a crash). */
  tornBytes: number;
}

const HEADER_BYTES = 12;
const SIGNALS = ["traces", "logs"] as const;
const ENCODINGS = ["json", "protobuf"] as const;
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

interface Segment {
  path: string;
  file: Deno.FsFile;
  bytes: number;
  /** Items appended and not yet settled. */
  pending: number;
  closed: boolean;
}

/** The log; one per data folder. */
export class WriteAheadLog {
  readonly #dir: string;
  readonly #sync: boolean;
  readonly #segmentBytes: number;
  readonly #owner = new WeakMap<object, Segment>();
  readonly #closed = new Set<Segment>();
  #next: number;
  #active: Segment;
  readonly #leftover: string[];

  private constructor(dir: string, options: WalOptions, leftover: string[], next: number) {
    this.#dir = dir;
    this.#sync = options.sync;
    this.#segmentBytes = options.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.#leftover = leftover;
    this.#next = next;
    this.#active = this.#open();
  }

  /** Opens the log in `dir` (created if needed); segments found there wait in `leftover()`. */
  static async open(dir: string, options: WalOptions): Promise<WriteAheadLog> {
    await Deno.mkdir(dir, { recursive: true });
    const numbers: number[] = [];
    for await (const entry of Deno.readDir(dir)) {
      const match = /^(\d+)\.wal$/.exec(entry.name);
      if (entry.isFile && match !== null) numbers.push(Number(match[1]));
    }
    numbers.sort((a, b) => a - b);
    const leftover = numbers.map((n) => join(dir, `${n}.wal`));
    return new WriteAheadLog(dir, options, leftover, (numbers.at(-1) ?? 0) + 1);
  }

  /** Segments left by the previous run, oldest first, to replay and then `discard`. */
  leftover(): readonly string[] {
    return this.#leftover;
  }

  /**
   * Appends one request's payload; `items` are what it puts in the pipeline, settled later.
   * Throws when the file cannot be written, leaving the segment as it was.
   */
  append(record: WalRecord, items: readonly object[]): void {
    const segment = this.#active;
    const header = new Uint8Array(HEADER_BYTES);
    const view = new DataView(header.buffer);
    view.setUint32(0, record.payload.byteLength, true);
    view.setUint8(4, SIGNALS.indexOf(record.signal));
    view.setUint8(5, ENCODINGS.indexOf(record.encoding));
    view.setUint32(8, crc32(record.payload), true);
    try {
      writeAll(segment.file, header);
      writeAll(segment.file, record.payload);
      if (this.#sync) segment.file.syncDataSync();
    } catch (error) {
      // A record cut short (a full disk) would end the segment for the replay: cut it off.
      try {
        segment.file.truncateSync(segment.bytes);
      } catch { /* the next start skips the torn end instead */ }
      throw error;
    }
    segment.bytes += HEADER_BYTES + record.payload.byteLength;
    segment.pending += items.length;
    for (const item of items) this.#owner.set(item, segment);
    if (segment.bytes >= this.#segmentBytes) {
      segment.closed = true;
      this.#closed.add(segment);
      this.#active = this.#open();
      this.#retire(segment);
    }
  }

  /** Marks items as written or dropped; emptied segments are cleared. */
  settle(items: readonly object[]): void {
    let touched: Segment | undefined;
    for (const item of items) {
      const segment = this.#owner.get(item);
      if (segment === undefined) continue;
      this.#owner.delete(item);
      segment.pending--;
      if (segment !== touched) {
        if (touched !== undefined) this.#retire(touched);
        touched = segment;
      }
    }
    if (touched !== undefined) this.#retire(touched);
  }

  /** Bytes appended and not yet cleared, over every open segment. */
  bytes(): number {
    let total = this.#active.bytes;
    for (const segment of this.#closed) total += segment.bytes;
    return total;
  }

  /** Removes a leftover segment once its records are back in the pipeline (and this log). */
  async discard(path: string): Promise<void> {
    await Deno.remove(path);
  }

  /** Closes the files; segments still holding unsettled items stay for the next start. */
  close(): void {
    for (const segment of [...this.#closed, this.#active]) {
      segment.file.close();
      if (segment.pending === 0) Deno.removeSync(segment.path);
    }
    this.#closed.clear();
  }

  #open(): Segment {
    const path = join(this.#dir, `${this.#next++}.wal`);
    const file = Deno.openSync(path, { create: true, append: true });
    return { path, file, bytes: 0, pending: 0, closed: false };
  }

  #retire(segment: Segment): void {
    if (segment.pending > 0) return;
    if (segment.closed) {
      this.#closed.delete(segment);
      segment.file.close();
      Deno.removeSync(segment.path);
    } else if (segment.bytes > 0) {
      segment.file.truncateSync(0);
      segment.bytes = 0;
    }
  }
}

/** Reads a segment's intact records; a torn or corrupt tail ends the segment. */
export async function readSegment(path: string): Promise<RecoveredSegment> {
  const data = await Deno.readFile(path);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const records: WalRecord[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= data.byteLength) {
    const length = view.getUint32(offset, true);
    const signal = SIGNALS[view.getUint8(offset + 4)];
    const encoding = ENCODINGS[view.getUint8(offset + 5)];
    const end = offset + HEADER_BYTES + length;
    if (signal === undefined || encoding === undefined || end > data.byteLength) break;
    const payload = data.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== view.getUint32(offset + 8, true)) break;
    records.push({ signal, encoding, payload });
    offset = end;
  }
  return { path, records, tornBytes: data.byteLength - offset };
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.byteLength) written += file.writeSync(bytes.subarray(written));
}
