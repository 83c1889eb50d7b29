/** Helpers for tests against the real RabbitMQ: a reachability check and throwaway queues. */
import { type ChannelModel, connect } from "amqplib";
import { DEFAULT_RABBITMQ_URL } from "../amqp/config.ts";
import { deleteTopology } from "../amqp/topology.ts";

/** The broker tests use: RABBITMQ_URL, else the local default. */
export const TEST_RABBITMQ_URL = Deno.env.get("RABBITMQ_URL") ?? DEFAULT_RABBITMQ_URL;

/** Opens a plain amqplib connection, failing with a clear message when RabbitMQ is down. */
export async function connectOrFail(): Promise<ChannelModel> {
  try {
    return await connect(TEST_RABBITMQ_URL);
  } catch (error) {
    throw new Error(
      `RabbitMQ is unreachable at ${new URL(TEST_RABBITMQ_URL).host}: start it ` +
        `(e.g. "rabbitmq-server -detached") before running the broker tests`,
      { cause: error },
    );
  }
}

/** A queue name no other test uses. */
export function uniqueQueueName(prefix: string): string {
  return `test.${prefix}.${crypto.randomUUID().slice(0, 8)}`;
}

/** Deletes the work queue and its dead-letter exchange and queue. */
export async function deleteQueues(queue: string): Promise<void> {
  const model = await connectOrFail();
  try {
    const channel = await model.createChannel();
    await deleteTopology(channel, queue);
    await channel.close();
  } finally {
    await model.close();
  }
}

/**
 * Closes, from the broker's side, every connection whose client named it `name` (amqplib's
 * `connection_name`), as `rabbitmqctl close_connection` does; returns how many were closed.
 */
export async function closeConnectionsNamed(name: string): Promise<number> {
  const listing = await rabbitmqctl([
    "-q",
    "list_connections",
    "pid",
    "client_properties",
    "--no-table-headers",
  ]);
  const pids = listing.split("\n")
    .filter((line) => line.includes(`{"connection_name","${name}"}`))
    .map((line) => line.split("\t")[0] ?? "");
  for (const pid of pids) await rabbitmqctl(["-q", "close_connection", pid, "closed by a test"]);
  return pids.length;
}

/** Runs `rabbitmqctl` with `args` and resolves to its output; throws with its stderr on failure. */
export async function rabbitmqctl(args: string[]): Promise<string> {
  let output: Deno.CommandOutput | undefined;
  let lastError: unknown;
  // Debian installs it in /usr/sbin, which not every PATH has.
  for (const program of ["rabbitmqctl", "/usr/sbin/rabbitmqctl"]) {
    try {
      output = await new Deno.Command(program, { args, stdout: "piped", stderr: "piped" })
        .output();
      break;
    } catch (error) {
      lastError = error;
    }
  }
  if (output === undefined) {
    throw new Error("rabbitmqctl is not available: the tests that manage the broker need it", {
      cause: lastError,
    });
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new Error(`rabbitmqctl ${args.join(" ")} failed: ${decoder.decode(output.stderr)}`);
  }
  return decoder.decode(output.stdout);
}
