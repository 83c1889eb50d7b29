/** Lines of a byte stream, such as a child process's stdout. */

/**
 * Decodes `stream` as UTF-8 and yields it a line at a time, without the line break; a last line
 * without one is yielded too. Reading stops when the consumer stops iterating.
 */
export async function* textLines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    yield* lines;
  }
  if (buffered !== "") yield buffered;
}
