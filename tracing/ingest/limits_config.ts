/**
 * The variables of the ingest limits. They take the tracing service's own `INGEST_*` names, not
 * the OpenTelemetry SDK's (`OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`, ...): those configure the SDK of the
 * process that makes spans, and this service is one too (its own telemetry), so one name would
 * set both what it records of itself and what it accepts from everyone. The defaults are the
 * SDK's where it has one.
 */
import type { EnvReader } from "../../lib/config/env_reader.ts";
import { int } from "../../lib/config/parsers.ts";
import { declareVariables } from "../../lib/config/variables.ts";
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from "./limits.ts";

const d = DEFAULT_INGEST_LIMITS;

/** The limits' variables, a group of their own in `--help` and docs/configuration.md. */
export const INGEST_LIMIT_VARIABLES = declareVariables("ingest limits", {
  INGEST_ATTRIBUTE_COUNT_LIMIT: {
    parse: int({ min: 1, max: 1_000_000 }),
    default: String(d.attributeCount),
    meaning: "attributes kept per span, event, link, resource and log record, and entries per " +
      "array or kvlist value; the rest are dropped and counted (`droppedAttributesCount`), as " +
      "the SDK's `OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT`",
  },
  INGEST_ATTRIBUTE_VALUE_LENGTH_LIMIT: {
    // Keys are cut too: at 128 or more, no semantic-convention key is.
    parse: int({ min: 128, max: 64 * 1024 * 1024 }),
    default: String(d.valueLength),
    meaning: "characters kept of each string (attribute keys and values, span, event and " +
      "service names, status messages) and bytes of each bytes value; longer ones are cut, as " +
      "the SDK's `OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`",
  },
  INGEST_EVENT_COUNT_LIMIT: {
    parse: int({ min: 0, max: 1_000_000 }),
    default: String(d.eventCount),
    meaning: "events kept per span; the rest are dropped and counted (`droppedEventsCount`), " +
      "as the SDK's `OTEL_SPAN_EVENT_COUNT_LIMIT`",
  },
  INGEST_LINK_COUNT_LIMIT: {
    parse: int({ min: 0, max: 1_000_000 }),
    default: String(d.linkCount),
    meaning: "links kept per span; the rest are dropped and counted (`droppedLinksCount`), as " +
      "the SDK's `OTEL_SPAN_LINK_COUNT_LIMIT`",
  },
  INGEST_VALUE_DEPTH_LIMIT: {
    parse: int({ min: 0, max: 64 }),
    default: String(d.valueDepth),
    meaning: "levels of arrays and kvlists inside one attribute value; an attribute nested " +
      "deeper is dropped and counted (OpenTelemetry has no such limit)",
  },
});

/** Reads the limits through `read`; problems are collected by the reader. */
export function readIngestLimits(read: EnvReader): IngestLimits {
  const v = INGEST_LIMIT_VARIABLES;
  return Object.freeze({
    attributeCount: read.value(v.INGEST_ATTRIBUTE_COUNT_LIMIT),
    valueLength: read.value(v.INGEST_ATTRIBUTE_VALUE_LENGTH_LIMIT),
    eventCount: read.value(v.INGEST_EVENT_COUNT_LIMIT),
    linkCount: read.value(v.INGEST_LINK_COUNT_LIMIT),
    valueDepth: read.value(v.INGEST_VALUE_DEPTH_LIMIT),
  });
}
