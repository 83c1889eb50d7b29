import assert from "node:assert/strict";
import { textLines } from "./text_lines.ts";

function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return ReadableStream.from(chunks.map((chunk) => encoder.encode(chunk)));
}

Deno.test("textLines() joins lines split across chunks and keeps a last unterminated one", async () => {
  const lines = await Array.fromAsync(textLines(streamOf("a\nb", "c\n\nd", "\u00e9\n", "tail")));
  assert.deepEqual(lines, ["a", "bc", "", "d\u00e9", "tail"]);
});

Deno.test("textLines() yields nothing for an empty stream", async () => {
  assert.deepEqual(await Array.fromAsync(textLines(streamOf())), []);
});
