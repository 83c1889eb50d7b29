/**
 * Trace and span ids from a pooled buffer of random bytes. The SDK's default generator makes a
 * Buffer and hex-encodes it through a runtime call for every span, sampled or not, which showed
 * in CPU profiles of the request path; this one hex-encodes from a lookup table into one flat
 * string (`String.fromCharCode`): an id built by `+=` is a chain of 16 or 32 string pieces that
 * the sampler's first read then flattens, which cost more than drawing the id.
 */
import type { IdGenerator } from "@opentelemetry/sdk-trace";

/** Character codes of the lowercase hex digits. */
const HEX_CODES: readonly number[] = Array.from("0123456789abcdef", (digit) => digit.charCodeAt(0));

const POOL_BYTES = 4096;

/** An `IdGenerator` with `crypto.getRandomValues` as its source; never returns an all-zero id. */
export class PooledIdGenerator implements IdGenerator {
  #pool = new Uint8Array(POOL_BYTES);
  #offset = POOL_BYTES;
  /** Character codes of the id being made, reused: one flat string per id, made in one call. */
  readonly #traceCodes: number[] = new Array(32).fill(0);
  readonly #spanCodes: number[] = new Array(16).fill(0);
  #handedOver: string | undefined;

  generateTraceId(): string {
    const handedOver = this.#handedOver;
    if (handedOver === undefined) return this.#hex(16);
    this.#handedOver = undefined;
    return handedOver;
  }

  /**
   * Makes the next `generateTraceId()` return `traceId`, once: `Level2Tracer` decides a new
   * trace's sampling on an id it drew, and the SDK's tracer then starts the span on that id.
   */
  handOverTraceId(traceId: string | undefined): void {
    this.#handedOver = traceId;
  }

  generateSpanId(): string {
    return this.#hex(8);
  }

  #hex(bytes: number): string {
    const codes = bytes === 16 ? this.#traceCodes : this.#spanCodes;
    for (;;) {
      if (this.#offset + bytes > POOL_BYTES) {
        crypto.getRandomValues(this.#pool);
        this.#offset = 0;
      }
      const pool = this.#pool;
      const offset = this.#offset;
      let nonZero = 0;
      for (let index = 0; index < bytes; index++) {
        const byte = pool[offset + index]!;
        nonZero |= byte;
        codes[2 * index] = HEX_CODES[byte >> 4]!;
        codes[2 * index + 1] = HEX_CODES[byte & 15]!;
      }
      this.#offset += bytes;
      // W3C Trace Context forbids all-zero ids; draw again in that (1 in 2^64) case.
      if (nonZero !== 0) return String.fromCharCode.apply(null, codes);
    }
  }
}
