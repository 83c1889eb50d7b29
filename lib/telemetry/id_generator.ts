/**
 * Trace and span ids from a pooled buffer of random bytes. The SDK's default generator makes a
 * Buffer and hex-encodes it through a runtime call for every span, sampled or not, which showed
 * in CPU profiles of the request path; this one hex-encodes from a lookup table.
 */
import type { IdGenerator } from "@opentelemetry/sdk-trace";
import { BYTE_HEX } from "../hex.ts";

const POOL_BYTES = 4096;

/** An `IdGenerator` with `crypto.getRandomValues` as its source; never returns an all-zero id. */
export class PooledIdGenerator implements IdGenerator {
  #pool = new Uint8Array(POOL_BYTES);
  #offset = POOL_BYTES;

  generateTraceId(): string {
    return this.#hex(16);
  }

  generateSpanId(): string {
    return this.#hex(8);
  }

  #hex(bytes: number): string {
    for (;;) {
      if (this.#offset + bytes > POOL_BYTES) {
        crypto.getRandomValues(this.#pool);
        this.#offset = 0;
      }
      let text = "";
      let nonZero = 0;
      for (let index = 0; index < bytes; index++) {
        const byte = this.#pool[this.#offset + index]!;
        nonZero |= byte;
        text += BYTE_HEX[byte];
      }
      this.#offset += bytes;
      // W3C Trace Context forbids all-zero ids; draw again in that (1 in 2^64) case.
      if (nonZero !== 0) return text;
    }
  }
}
