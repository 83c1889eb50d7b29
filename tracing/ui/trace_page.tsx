/** @jsxImportSource hono/jsx */
/** The trace view: summary, waterfall with details and critical path, and the trace's logs. */
import { nanosToMicros, valueText } from "../span_model.ts";
import { countOf, formatDuration, formatTime, queryString, shownText } from "./format.ts";
import { type Html, Layout, ServiceTag } from "./layout.tsx";
import { Waterfall } from "./waterfall.tsx";
import type { TraceModel } from "./waterfall_model.ts";

/** The trace's page. */
export function TracePage(props: { model: TraceModel }): Html {
  const { model } = props;
  const { root } = model;
  return (
    <Layout title={`${root.service}: ${root.name}`} section="trace" wide>
      <TraceHeader model={model} />
      <div class="toolbar">
        <button type="button" data-action="expand-all">Expand all</button>
        <button type="button" data-action="collapse-all">Collapse all</button>
        <span class="legend">
          <i class="cp-key"></i> critical path <i class="wait-key"></i> broker wait
        </span>
        <span class="hint">
          ↑↓ move · Enter details · ←→ collapse and expand
        </span>
        <a href={`/api/v1/traces/${model.traceId}`}>JSON</a>
        <form action="/compare" method="get" class="inline">
          <input type="hidden" name="a" value={model.traceId} />
          <input name="b" placeholder="Compare with trace id" aria-label="Compare with trace id" />
          <button type="submit">Compare</button>
        </form>
      </div>
      <Waterfall model={model} options={{ details: true }} />
      <TraceLogs model={model} />
    </Layout>
  );
}

/** The trace's title line and numbers. */
export function TraceHeader(props: { model: TraceModel; heading?: string }): Html {
  const { model } = props;
  return (
    <div class="trace-head">
      <h1>
        {props.heading === undefined ? "" : <span class="muted">{props.heading}</span>}
        <ServiceTag service={model.root.service} /> <span class="op">{model.root.name}</span>
      </h1>
      <p class="stats">
        <span>
          Trace <code>{model.traceId}</code>
        </span>
        <span>{`Started ${formatTime(model.startUs)} UTC`}</span>
        <span>{`Duration ${formatDuration(model.durationUs)}`}</span>
        <span>{countOf(model.rows.filter((r) => r.type === "span").length, "span")}</span>
        <span>{`Depth ${model.depth}`}</span>
        <span class={model.errorCount > 0 ? "error-text" : ""}>
          {countOf(model.errorCount, "error")}
        </span>
      </p>
      <p class="services">
        {model.services.map((s) => (
          <a href={`/search${queryString({ service: s })}`}>
            <ServiceTag service={s} />
          </a>
        ))}
      </p>
      {model.omitted === undefined ? "" : (
        <p class="notice" role="status">
          {`This trace is too large to show whole: ${model.omitted.spans} later spans and ` +
            `${model.omitted.logs} log records are left out.`}
        </p>
      )}
    </div>
  );
}

function TraceLogs(props: { model: TraceModel }) {
  const { model } = props;
  return (
    <section class="logs" aria-label="Logs">
      <h2>
        {`Logs (${model.logs.length}) `}
        <a class="hint" href={`/logs${queryString({ trace_id: model.traceId })}`}>
          in the Logs view
        </a>
      </h2>
      {model.logs.length === 0
        ? <p class="muted">No logs were recorded for this trace.</p>
        : (
          <table class="grid">
            <thead>
              <tr>
                <th>Time</th>
                <th>Service</th>
                <th>Level</th>
                <th>Message</th>
                <th>Span</th>
              </tr>
            </thead>
            <tbody>
              {model.logs.map((log) => (
                <tr>
                  <td class="num">
                    {`+${formatDuration(nanosToMicros(log.timeUnixNano) - model.startUs)}`}
                  </td>
                  <td>
                    <ServiceTag service={log.service} />
                  </td>
                  <td>
                    <span class={`sev sev-${log.severityText.toLowerCase()}`}>
                      {log.severityText}
                    </span>
                  </td>
                  <td class="msg">{shownText(valueText(log.body))}</td>
                  <td>
                    {model.byId.has(log.spanId)
                      ? (
                        <a href={`#span-${log.spanId}`} data-goto={log.spanId}>
                          {model.byId.get(log.spanId)!.name}
                        </a>
                      )
                      : <code>{log.spanId}</code>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}
