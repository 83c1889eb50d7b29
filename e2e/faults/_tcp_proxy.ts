/**
 * A loopback TCP proxy that a test can take down and bring back on the same port: a broker
 * outage for one service's connections only, without stopping the RabbitMQ other tests share.
 */

/** A running proxy. */
export interface TcpProxy {
  readonly port: number;
  /** Closes the listener and every proxied connection: the target looks down. */
  down(): void;
  /** Listens again on the same port. */
  up(): void;
  close(): Promise<void>;
}

/** Starts proxying `127.0.0.1:<port>` to `target`. */
export function startTcpProxy(target: { hostname: string; port: number }): TcpProxy {
  let listener: Deno.Listener | undefined;
  const open = new Set<Deno.Conn>();
  const tasks = new Set<Promise<void>>();
  const track = (task: Promise<void>) => {
    tasks.add(task);
    task.finally(() => tasks.delete(task));
  };
  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable, { preventClose: true });
    } catch { /* either side closed */ }
    for (const conn of [from, to]) {
      if (open.delete(conn)) conn.close();
    }
  };
  const serve = (current: Deno.Listener) => {
    track((async () => {
      try {
        for await (const client of current) {
          open.add(client);
          track((async () => {
            try {
              const upstream = await Deno.connect(target);
              open.add(upstream);
              await Promise.all([pipe(client, upstream), pipe(upstream, client)]);
            } catch {
              if (open.delete(client)) client.close();
            }
          })());
        }
      } catch { /* listener closed */ }
    })());
  };
  const listen = (port: number) => {
    listener = Deno.listen({ hostname: "127.0.0.1", port });
    serve(listener);
    return (listener.addr as Deno.NetAddr).port;
  };
  const port = listen(0);
  const down = () => {
    listener?.close();
    listener = undefined;
    for (const conn of open) conn.close();
    open.clear();
  };
  return {
    port,
    down,
    up: () => {
      if (listener === undefined) listen(port);
    },
    close: async () => {
      down();
      await Promise.allSettled([...tasks]);
    },
  };
}
