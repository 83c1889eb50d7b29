/**
 * Counts the requests being handled so that a graceful stop can let them finish before the
 * servers shut down, and answers requests that arrive meanwhile with a clean 503.
 *
 * Why not `server.shutdown()` alone: on Deno 2.9 it makes the body of every in-flight HTTP/1.1
 * request unreadable at once (denoland/deno#36809), so a request whose body was still arriving
 * failed with "BadResource: Cannot read body" and a 500. Shutting down only once no handler runs
 * leaves no body to cut.
 */

/** The requests in flight, and the drain. */
export class DrainGate {
  #inFlight = 0;
  #draining = false;
  #idle: (() => void) | undefined;

  /** Requests being handled now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Whether new requests are refused. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Wraps a fetch handler: counted while it runs, 503 once draining. */
  wrap<A extends unknown[]>(
    handler: (request: Request, ...rest: A) => Response | Promise<Response>,
  ): (request: Request, ...rest: A) => Promise<Response> {
    return async (request, ...rest) => {
      if (this.#draining) return shuttingDown();
      this.#inFlight++;
      try {
        return await handler(request, ...rest);
      } finally {
        this.#inFlight--;
        if (this.#inFlight === 0) this.#idle?.();
      }
    };
  }

  /** Refuses new requests from now on; resolves once none is being handled. */
  drain(): Promise<void> {
    this.#draining = true;
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idle = resolve;
    });
  }
}

function shuttingDown(): Response {
  return new Response(
    JSON.stringify({
      error: { code: "shutting_down", message: "The service is shutting down: retry later" },
    }),
    {
      status: 503,
      headers: { "content-type": "application/json", "retry-after": "1", connection: "close" },
    },
  );
}
