/**
 * The producer's faults, on its publishes: a delay before each publish, and a share of publishes
 * the broker does not confirm. Both show on the PRODUCER span: it starts when the wait began, and
 * fails as a nack would.
 */
import { PublishError } from "../lib/amqp/publish.ts";
import { delayFault, shareFault } from "../lib/faults/fault.ts";
import type { FaultRegistry } from "../lib/faults/registry.ts";
import {
  delayMark,
  epochNow,
  type FaultMark,
  sleep,
  withHeldFaults,
} from "../lib/faults/span_marks.ts";
import type { MessagePublisher } from "./sender.ts";

const PUBLISH_DELAY = "publish_delay";
const CONFIRM_FAILURES = "confirm_failures";

/** What `GET /faults` lists. */
export const PRODUCER_FAULTS = [
  delayFault(PUBLISH_DELAY, {
    description: "each publish waits delay_ms ± jitter_ms inside its send span",
    delayMs: 300,
    jitterMs: 30,
  }),
  shareFault(CONFIRM_FAILURES, {
    description: "a share rate of publishes is not confirmed (as a nack): /send answers 503",
    rate: 0.2,
  }),
] as const;

/** `publisher` with the faults acting on each publish. */
export function withPublishFaults(
  publisher: MessagePublisher,
  options: { faults: FaultRegistry },
): MessagePublisher {
  const { faults } = options;
  return {
    get ready() {
      return publisher.ready;
    },
    async publish(request) {
      const slow = faults.delay(PUBLISH_DELAY);
      const failure = faults.hits(CONFIRM_FAILURES);
      if (slow === undefined && failure === undefined) return await publisher.publish(request);
      const startTime = epochNow();
      const marks: FaultMark[] = [];
      if (slow !== undefined) {
        await sleep(slow.ms);
        marks.push(delayMark(PUBLISH_DELAY, slow));
      }
      if (failure !== undefined) {
        marks.push({ name: CONFIRM_FAILURES, parameters: { rate: failure.rate } });
      }
      const held = {
        startTime,
        marks,
        taken: false,
        ...(failure === undefined ? {} : {
          failure: new PublishError(
            "nacked",
            `The broker did not confirm the message (fault ${CONFIRM_FAILURES}, rate ${failure.rate})`,
          ),
        }),
      };
      return await withHeldFaults(held, () => publisher.publish(request));
    },
  };
}
