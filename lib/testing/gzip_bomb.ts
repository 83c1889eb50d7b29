/** Test input: real gzip bombs, made by streaming zeros through `CompressionStream`. */

const cache = new Map<number, Promise<Uint8Array<ArrayBuffer>>>();

/**
 * A gzip body that inflates to `inflatedBytes` zeros (deflate's ~1000:1: 2 GiB gives ~2 MB).
 * Made once per size and process, since compressing gigabytes takes a second or two.
 */
export function gzipBomb(inflatedBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  let bomb = cache.get(inflatedBytes);
  if (bomb === undefined) {
    bomb = compressZeros(inflatedBytes);
    cache.set(inflatedBytes, bomb);
  }
  return bomb;
}

async function compressZeros(total: number): Promise<Uint8Array<ArrayBuffer>> {
  const zeros = new Uint8Array(1024 * 1024);
  let left = total;
  const source = new ReadableStream<Uint8Array<ArrayBuffer>>({
    pull(controller) {
      if (left <= 0) return controller.close();
      const size = Math.min(left, zeros.byteLength);
      controller.enqueue(size === zeros.byteLength ? zeros : zeros.subarray(0, size));
      left -= size;
    },
  });
  const gzip = source.pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(gzip).arrayBuffer());
}

/** A body stream that hands out `bytes` in chunks of `chunkBytes`, as a network read would. */
export function chunkedStream(
  bytes: Uint8Array<ArrayBuffer>,
  chunkBytes = 64 * 1024,
): ReadableStream<Uint8Array<ArrayBuffer>> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + chunkBytes));
      offset += chunkBytes;
    },
  });
}
