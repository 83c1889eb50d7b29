import assert from "node:assert/strict";
import type { SettledMessage } from "../lib/amqp/consume.ts";
import type { ConsumedMessage } from "../lib/amqp/message.ts";
import { ConsumerStats, DEDUP_WINDOW } from "./stats.ts";

function processed(messageId: string | undefined, redelivered = false): SettledMessage {
  const message = { messageId, redelivered } as ConsumedMessage;
  return { message, outcome: "processed", durationMs: 1 };
}

Deno.test("ConsumerStats remembers the last DEDUP_WINDOW ids to tell duplicates", () => {
  const stats = new ConsumerStats(() => 0);
  for (let i = 0; i <= DEDUP_WINDOW; i++) stats.record(processed(`m${i}`));
  stats.record(processed(`m${DEDUP_WINDOW}`, true)); // still remembered: a duplicate
  stats.record(processed("m0", true)); // forgotten, the oldest: counted as new
  const view = stats.view(0);
  assert.equal(view.processed_messages, DEDUP_WINDOW + 2);
  assert.equal(view.duplicate_messages, 1);
  assert.equal(view.redelivered_messages, 2);
});

Deno.test("ConsumerStats counts a message without an id on each processing", () => {
  const stats = new ConsumerStats(() => 0);
  stats.record(processed(undefined));
  stats.record(processed(undefined, true));
  assert.equal(stats.view(0).processed_messages, 2);
  assert.equal(stats.view(0).duplicate_messages, 0);
});
