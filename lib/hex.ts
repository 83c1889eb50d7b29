/** Hex text of bytes, from a lookup table: ids and flags are hex-encoded on hot paths. */

/** `BYTE_HEX[b]` is byte `b` as two lowercase hex digits. */
export const BYTE_HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => byte.toString(16).padStart(2, "0"),
);

/** `bytes` as lowercase hex. */
export function bytesToHex(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += BYTE_HEX[byte];
  return text;
}
