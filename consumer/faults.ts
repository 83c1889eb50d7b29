/**
 * The consumer's faults, on each message it processes: a share that fails (retried, then
 * dead-lettered, as FAILURE_RATE always did) and a delay that makes the queue build up. The
 * CONSUMER span carries the mark.
 */
import { delayFault, type FaultState, shareFault } from "../lib/faults/fault.ts";

/** Names of the consumer's faults, as the API and `FAULTS` spell them. */
export const PROCESSING_ERRORS = "processing_errors";
export const SLOW_CONSUMER = "slow_consumer";

/** What `GET /faults` lists. */
export const CONSUMER_FAULTS = [
  shareFault(PROCESSING_ERRORS, {
    description: "a share rate of attempts fail: retried MAX_RETRIES times, then dead-lettered",
    rate: 0.2,
  }),
  delayFault(SLOW_CONSUMER, {
    description: "each message takes delay_ms ± jitter_ms longer, so the queue builds up",
    delayMs: 2000,
    jitterMs: 200,
  }),
] as const;

/** The faults on at start: FAULTS, and FAILURE_RATE as `processing_errors` unless FAULTS names it. */
export function initialConsumerFaults(
  fromFaults: ReadonlyMap<string, FaultState>,
  failureRate: number,
): ReadonlyMap<string, FaultState> {
  if (failureRate === 0 || fromFaults.has(PROCESSING_ERRORS)) return fromFaults;
  return new Map([...fromFaults, [PROCESSING_ERRORS, { enabled: true, rate: failureRate }]]);
}
