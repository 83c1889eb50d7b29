/**
 * Closed-loop load for the fault suite: `concurrency` workers each repeat one request until told
 * to stop, and every outcome is kept so a test can count what was answered, refused or lost.
 */

import { type JsonResponse, requestJson } from "../../lib/testing/http.ts";

/** What one request came to: an HTTP answer, or a failure to get one. */
export type Outcome<T> = { answered: true; value: T } | { answered: false; error: unknown };

/** A running load. */
export interface Load<T> {
  /** Every outcome so far, in completion order. */
  readonly outcomes: readonly Outcome<T>[];
  /** How many requests were answered so far. */
  answered(): number;
  /** Stops the workers after their current request and resolves once all have. */
  stop(): Promise<void>;
}

/** Starts `concurrency` workers repeating `request`; a worker pauses briefly after a failure. */
export function startLoad<T>(concurrency: number, request: (index: number) => Promise<T>): Load<T> {
  const outcomes: Outcome<T>[] = [];
  let running = true;
  let next = 0;
  let answered = 0;
  const worker = async () => {
    while (running) {
      try {
        outcomes.push({ answered: true, value: await request(next++) });
        answered += 1;
      } catch (error) {
        outcomes.push({ answered: false, error });
        // A refused connection fails at once: without a pause the loop would spin.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const workers = Promise.all(Array.from({ length: concurrency }, worker));
  return {
    outcomes,
    answered: () => answered,
    stop: async () => {
      running = false;
      await workers;
    },
  };
}

/** A process's resident memory in bytes, from `/proc/<pid>/status`. */
export async function residentBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = status.match(/^VmRSS:\s+(\d+) kB/m);
  if (match === null) throw new Error(`/proc/${pid}/status has no VmRSS`);
  return Number(match[1]) * 1024;
}

/** Prints a case's figures as one JSON line, for the README's reliability table. */
export function reportFigures(name: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ fault_suite: name, ...figures });
  Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
}

/** A publish load on the producer's `POST /send`, and the ids of the messages it confirmed. */
export function startSendLoad(
  producerUrl: string,
  concurrency: number,
): { load: Load<JsonResponse>; accepted: () => string[] } {
  const load = startLoad(
    concurrency,
    (i) => requestJson(`${producerUrl}/send`, { body: { content: `m${i}` } }),
  );
  const accepted = () =>
    load.outcomes.flatMap((o) =>
      o.answered && o.value.status === 202 ? [String(o.value.body.message_id)] : []
    );
  return { load, accepted };
}
