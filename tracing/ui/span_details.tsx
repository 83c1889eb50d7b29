/** @jsxImportSource hono/jsx */
/** A span's details: kind, status, timing, attributes, events, resource, relatives and links. */
import {
  durationMicros,
  type KeyValue,
  nanosToMicros,
  SPAN_KINDS,
  type SpanRecord,
  startMicros,
  valueText,
} from "../span_model.ts";
import { formatDuration, shownText, traceHref } from "./format.ts";
import { type Html, ServiceTag } from "./layout.tsx";
import type { TraceModel } from "./waterfall_model.ts";

const STATUS = ["unset", "ok", "error"];

/** The hidden details panel under a waterfall row. */
export function SpanDetails(props: { model: TraceModel; span: SpanRecord }): Html {
  const { model, span } = props;
  const startUs = startMicros(span);
  const parent = model.byId.get(span.parentSpanId);
  const children = model.children.get(span.spanId) ?? [];
  const linkedFrom = model.linkedFrom.get(span.spanId) ?? [];
  const logs = model.logsBySpan.get(span.spanId) ?? [];
  return (
    <section class="details" hidden aria-label={`Details of ${span.name}`}>
      <dl class="facts">
        <dt>Service</dt>
        <dd>
          <ServiceTag service={span.service} />
        </dd>
        <dt>Kind</dt>
        <dd>{SPAN_KINDS[span.kind] ?? "unspecified"}</dd>
        <dt>Status</dt>
        <dd class={`status-${STATUS[span.status.code] ?? "unset"}`}>
          {STATUS[span.status.code] ?? "unset"}
          {span.status.message === "" ? "" : `: ${span.status.message}`}
        </dd>
        <dt>Start</dt>
        <dd>{`+${formatDuration(startUs - model.startUs)}`}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(durationMicros(span))}</dd>
        <dt>Span id</dt>
        <dd>
          <code>{span.spanId}</code>
        </dd>
        <dt>Scope</dt>
        <dd>{`${span.scope.name}${span.scope.version === "" ? "" : ` ${span.scope.version}`}`}</dd>
      </dl>
      <div class="relatives">
        <Relation label="Parent" spans={parent === undefined ? [] : [parent]} />
        {span.parentSpanId !== "" && parent === undefined
          ? (
            <p>
              Parent <code>{span.parentSpanId}</code> is not in this trace
            </p>
          )
          : ""}
        <Relation label="Children" spans={children} />
        {span.links.length > 0
          ? (
            <p>
              Links to: {span.links.map((link) => (
                <a
                  class="link"
                  href={traceHref(link.traceId, link.spanId)}
                  data-goto={link.traceId === span.traceId && model.byId.has(link.spanId)
                    ? link.spanId
                    : undefined}
                >
                  {model.byId.get(link.spanId)?.name ??
                    `${link.traceId.slice(0, 8)}…/${link.spanId}`}
                </a>
              ))}
            </p>
          )
          : ""}
        <Relation label="Linked from" spans={linkedFrom} />
      </div>
      <KeyValues title="Attributes" values={span.attributes} />
      {span.events.length > 0
        ? (
          <div>
            <h4>Events</h4>
            <ul class="events">
              {span.events.map((event) => (
                <li>
                  <span class="muted">
                    {`+${formatDuration(nanosToMicros(event.timeUnixNano) - startUs)}`}
                  </span>{" "}
                  <strong>{event.name}</strong>
                  <KeyValues title="" values={event.attributes} />
                </li>
              ))}
            </ul>
          </div>
        )
        : ""}
      {logs.length > 0
        ? (
          <div>
            <h4>Logs</h4>
            <ul class="events span-logs">
              {logs.map((log) => (
                <li>
                  <span class={`sev sev-${log.severityText.toLowerCase()}`}>
                    {log.severityText}
                  </span>{" "}
                  {shownText(valueText(log.body))}
                  {log.attributes.map((kv) => (
                    <span class="muted field">
                      {` ${kv.key}=${shownText(valueText(kv.value))}`}
                    </span>
                  ))}
                </li>
              ))}
            </ul>
          </div>
        )
        : ""}
      <KeyValues title="Resource" values={span.resource} />
    </section>
  );
}

function Relation(props: { label: string; spans: SpanRecord[] }) {
  if (props.spans.length === 0) return "";
  return (
    <p>
      {props.label}:{" "}
      {props.spans.map((s) => (
        <a class="link" href={`#span-${s.spanId}`} data-goto={s.spanId}>
          {`${s.service}: ${s.name}`}
        </a>
      ))}
    </p>
  );
}

/** A table of attributes. */
export function KeyValues(props: { title: string; values: readonly KeyValue[] }): Html {
  if (props.values.length === 0) return <div hidden></div>;
  return (
    <div>
      {props.title === "" ? "" : <h4>{props.title}</h4>}
      <table class="kv">
        <tbody>
          {[...props.values].sort((a, b) => a.key.localeCompare(b.key)).map((kv) => (
            <tr>
              <th scope="row">{kv.key}</th>
              <td>{shownText(valueText(kv.value))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
