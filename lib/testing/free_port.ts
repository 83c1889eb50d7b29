/** Loopback ports for processes a test starts on ports it must know up front. */

/** A loopback port that was free a moment ago (another process may take it before it is used). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}
