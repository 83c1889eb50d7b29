/** Folder-private: protobuf wire bytes written by hand, for tests of what no encoder would send. */

/** A varint's bytes. */
export function varint(value: number): number[] {
  const out: number[] = [];
  while (value > 0x7f) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
  return out;
}

/** A `fixed64`'s bytes, little-endian. */
export function fixed64(value: bigint): number[] {
  return [...new Uint8Array(new BigUint64Array([value]).buffer)];
}
