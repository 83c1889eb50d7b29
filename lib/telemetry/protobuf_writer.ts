/**
 * A one-pass protobuf writer over a reusable buffer. A length-delimited field reserves the bytes
 * its length will probably need and moves the body only when the guess was wrong, so nothing is
 * measured twice and no string is encoded twice (the official writer runs a sizing pass first).
 */

const INITIAL_BYTES = 64 * 1024;
/** A string this short fits a one-byte length even if every UTF-16 unit takes three bytes. */
const SHORT_STRING = 42;

/** The hex digit value of each ASCII code (upper or lower case), -1 elsewhere. */
const HEX_VALUE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let digit = 0; digit < 16; digit++) {
    table["0123456789abcdef".charCodeAt(digit)] = digit;
    table["0123456789ABCDEF".charCodeAt(digit)] = digit;
  }
  return table;
})();

/** How many bytes `value` (an unsigned 32-bit integer) takes as a varint. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** Writes protobuf wire format into one growing buffer that is reused between messages. */
export class ProtobufWriter {
  buffer: Uint8Array;
  pos = 0;
  #view: DataView;
  readonly #encoder = new TextEncoder();

  /** `initialBytes`: the buffer's first size; it doubles as needed and is kept. */
  constructor(initialBytes = INITIAL_BYTES) {
    this.buffer = new Uint8Array(initialBytes);
    this.#view = new DataView(this.buffer.buffer);
  }

  /** Starts a new message, keeping the buffer. */
  reset(): void {
    this.pos = 0;
  }

  /** A copy of what was written since `reset()`: the buffer itself is reused. */
  take(): Uint8Array {
    return this.buffer.slice(0, this.pos);
  }

  /** Makes room for `bytes` more bytes. */
  ensure(bytes: number): void {
    if (this.pos + bytes > this.buffer.length) this.#grow(bytes);
  }

  /** A field key; every field number we write is below 2^28. */
  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  /** An unsigned 32-bit varint. */
  varint(value: number): void {
    this.ensure(5);
    const buffer = this.buffer;
    let v = value >>> 0;
    while (v > 0x7f) {
      buffer[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buffer[this.pos++] = v;
  }

  /** A signed integer of up to 64 bits as a varint (two's complement when negative). */
  int64(value: number): void {
    if (value >= 0 && value <= 0xffffffff) return this.varint(value);
    const magnitude = Math.abs(value);
    let low = magnitude % 0x100000000;
    let high = (magnitude - low) / 0x100000000;
    if (value < 0) {
      // Two's complement of the 64-bit magnitude: invert both words, add one with carry.
      low = (~low >>> 0) + 1;
      high = ~high >>> 0;
      if (low > 0xffffffff) {
        low = 0;
        high = (high + 1) >>> 0;
      }
    }
    this.ensure(10);
    const buffer = this.buffer;
    while (high > 0 || low > 0x7f) {
      buffer[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[this.pos++] = low;
  }

  /** A little-endian 32-bit word. */
  fixed32(value: number): void {
    this.ensure(4);
    const buffer = this.buffer;
    buffer[this.pos++] = value;
    buffer[this.pos++] = value >>> 8;
    buffer[this.pos++] = value >>> 16;
    buffer[this.pos++] = value >>> 24;
  }

  /** A little-endian 64-bit integer given as two unsigned 32-bit words. */
  fixed64(low: number, high: number): void {
    this.fixed32(low);
    this.fixed32(high);
  }

  /** A little-endian IEEE 754 double. */
  double(value: number): void {
    this.ensure(8);
    this.#view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  /** Length-prefixed raw bytes. */
  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** Raw bytes, already in wire format (no length). */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** Length-prefixed bytes from hex text (`hex.length / 2` bytes), decoded in place. */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.varint(length);
    this.ensure(length);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let index = 0; index < hex.length; index += 2) {
      const high = HEX_VALUE[hex.charCodeAt(index)] ?? -1;
      const low = HEX_VALUE[hex.charCodeAt(index + 1)] ?? -1;
      // A malformed id becomes zero bytes rather than garbage; the SDK never makes one.
      buffer[pos++] = high < 0 || low < 0 ? 0 : (high << 4) | low;
    }
    this.pos = pos;
  }

  /** A length-prefixed UTF-8 string, encoded straight into the buffer. */
  string(value: string): void {
    const length = value.length;
    if (length <= SHORT_STRING) {
      this.ensure(1 + length);
      const buffer = this.buffer;
      let pos = this.pos + 1;
      let index = 0;
      for (; index < length; index++) {
        const code = value.charCodeAt(index);
        if (code >= 0x80) break;
        buffer[pos++] = code;
      }
      if (index === length) {
        buffer[this.pos] = length;
        this.pos = pos;
        return;
      }
    }
    this.#encodeString(value);
  }

  /**
   * Reserves `reserve` bytes for the length of a nested message and returns where they start;
   * `end(start, reserve)` writes the length once the body is written.
   */
  begin(reserve: number): number {
    this.ensure(reserve);
    const start = this.pos;
    this.pos += reserve;
    return start;
  }

  /** Writes the length reserved by `begin`, moving the body when it needs other than `reserve`. */
  end(start: number, reserve: number): void {
    const length = this.pos - start - reserve;
    const size = varintSize(length);
    if (size !== reserve) {
      this.ensure(size - reserve);
      this.buffer.copyWithin(start + size, start + reserve, this.pos);
      this.pos += size - reserve;
    }
    const buffer = this.buffer;
    let pos = start;
    let v = length;
    while (v > 0x7f) {
      buffer[pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buffer[pos] = v;
  }

  #encodeString(value: string): void {
    const maxBytes = value.length * 3;
    const reserve = varintSize(maxBytes);
    this.ensure(reserve + maxBytes);
    const start = this.pos;
    this.pos += reserve;
    const { written } = this.#encoder.encodeInto(value, this.buffer.subarray(this.pos));
    this.pos += written;
    this.end(start, reserve);
  }

  #grow(bytes: number): void {
    let size = this.buffer.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.pos));
    this.buffer = grown;
    this.#view = new DataView(grown.buffer);
  }
}
