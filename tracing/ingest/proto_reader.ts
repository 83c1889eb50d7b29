/**
 * A protobuf wire-format reader over one buffer: what the direct OTLP decoder needs and no more.
 * Reads follow protobufjs's (the test oracle): varints keep their low 32 bits where protobufjs's
 * `uint32`/`int32` do, and every read past the end of the buffer, or past the end of the message
 * it belongs to, throws `WireError`. Strings follow the ingest text rule (see limits.ts): cut to
 * `maxString` code units without decoding the rest, NUL replaced by U+FFFD.
 */
import { cutText } from "./limits.ts";

/** The bytes are not valid protobuf (truncated, or a length or wire type that cannot be). */
export class WireError extends Error {
  override name = "WireError";
}

const UTF8 = new TextDecoder();

/** Reads fields one after another; `pos` is the next byte. */
export class ProtoReader {
  pos = 0;
  /** Strings cut to `maxString` so far. */
  truncated = 0;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #maxString: number;

  constructor(bytes: Uint8Array, options: { maxString?: number } = {}) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#maxString = options.maxString ?? Infinity;
  }

  /** Bytes in the buffer. */
  get length(): number {
    return this.#bytes.length;
  }

  /** A varint's low 32 bits, unsigned (tags and lengths); up to 10 bytes are consumed. */
  uint32(): number {
    const bytes = this.#bytes;
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= bytes.length) throw new WireError(`Truncated varint at offset ${this.pos}`);
      const byte = bytes[this.pos++]!;
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
    throw new WireError(`Invalid varint at offset ${this.pos}`);
  }

  /** A varint's low 32 bits, signed (`int32`, enums). */
  int32(): number {
    return this.uint32() | 0;
  }

  /** A varint as a signed 64-bit decimal (`int64`). */
  int64Text(): string {
    const bytes = this.#bytes;
    let low = 0;
    let high = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= bytes.length) throw new WireError(`Truncated varint at offset ${this.pos}`);
      const byte = bytes[this.pos++]!;
      const bits = byte & 0x7f;
      if (shift < 28) low |= bits << shift;
      else if (shift === 28) {
        low |= bits << 28;
        high |= bits >>> 4;
      } else high |= bits << (shift - 32);
      if (byte < 0x80) {
        if (high === 0 && low >= 0) return String(low);
        return BigInt.asIntN(64, (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0)).toString();
      }
    }
    throw new WireError(`Invalid varint at offset ${this.pos}`);
  }

  /** A `fixed32`, unsigned. */
  fixed32(): number {
    this.#need(4);
    const value = this.#view.getUint32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** A `fixed64` as its two unsigned halves, handed to `use`. */
  fixed64<T>(use: (low: number, high: number) => T): T {
    this.#need(8);
    const low = this.#view.getUint32(this.pos, true);
    const high = this.#view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return use(low, high);
  }

  /** A `double`. */
  double(): number {
    this.#need(8);
    const value = this.#view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** A length-delimited field's bytes (a view, not a copy). */
  bytes(): Uint8Array {
    const length = this.uint32();
    this.#need(length);
    const start = this.pos;
    this.pos += length;
    return this.#bytes.subarray(start, this.pos);
  }

  /** A length-delimited UTF-8 string, cut to `maxString` code units, NUL as U+FFFD. */
  string(): string {
    const length = this.uint32();
    this.#need(length);
    const bytes = this.#bytes;
    const start = this.pos;
    const end = start + length;
    this.pos = end;
    // Short ASCII (keys, names, most values) is cheaper by hand than through TextDecoder.
    if (length < 48 && length <= this.#maxString) {
      for (let i = start; i < end; i++) {
        const byte = bytes[i]!;
        if (byte >= 0x80 || byte === 0) return this.#decode(start, end);
      }
      return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
    }
    return this.#decode(start, end);
  }

  #decode(start: number, end: number): string {
    const bytes = this.#bytes;
    const max = this.#maxString;
    // A code unit takes at most 3 bytes: past 3 * max + 1 whole bytes the text is over `max`,
    // and the rest is never decoded.
    let stop = end;
    if (end - start > 3 * max + 4) {
      stop = start + 3 * max + 4;
      while (stop > start && (bytes[stop]! & 0xc0) === 0x80) stop--;
    }
    let text = UTF8.decode(bytes.subarray(start, stop));
    if (text.length > max) {
      text = cutText(text, max);
      this.truncated++;
    }
    return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
  }

  /** The end offset of a length-delimited message starting here, checked against `limit`. */
  messageEnd(limit: number): number {
    const length = this.uint32();
    const end = this.pos + length;
    if (end > limit) {
      throw new WireError(`Message of ${length} bytes at offset ${this.pos} overruns its parent`);
    }
    return end;
  }

  /** Checks that the message ending at `end` was read to its end and no further. */
  finish(end: number): void {
    if (this.pos !== end) {
      throw new WireError(`A field overruns its message ending at offset ${end}`);
    }
  }

  /** Skips a field of `wireType`, as protobufjs does (groups included). */
  skip(wireType: number, depth = 0): void {
    if (depth > 100) throw new WireError("Nesting deeper than 100 groups");
    switch (wireType) {
      case 0:
        this.uint32();
        return;
      case 1:
        this.#need(8);
        this.pos += 8;
        return;
      case 2: {
        const length = this.uint32();
        this.#need(length);
        this.pos += length;
        return;
      }
      case 3: {
        let type: number;
        while ((type = this.uint32() & 7) !== 4) this.skip(type, depth + 1);
        return;
      }
      case 5:
        this.#need(4);
        this.pos += 4;
        return;
      default:
        throw new WireError(`Invalid wire type ${wireType} at offset ${this.pos}`);
    }
  }

  #need(count: number): void {
    if (this.pos + count > this.#bytes.length) {
      throw new WireError(
        `Truncated: ${count} bytes needed at offset ${this.pos} of ${this.#bytes.length}`,
      );
    }
  }
}
