/** @jsxImportSource hono/jsx */
/**
 * The logs view: the same filters as `GET /api/v1/logs` and the matching records, newest first,
 * each linked to its trace at its span. Bodies and attributes are untrusted text: JSX escapes
 * them, so they render inert, like span names.
 */
import { type LogRecord, nanosToMicros, valueText } from "../span_model.ts";
import { countOf, formatTime, shownText, traceHref } from "./format.ts";
import { type Html, Layout, Notice, ServiceTag, TimeWindowFields } from "./layout.tsx";

/** The form's values, as given in the query string. */
export type LogsForm = Record<
  "service" | "level" | "trace_id" | "q" | "lookback" | "start" | "end" | "limit",
  string
>;

const LEVELS = ["", "debug", "info", "warn", "error"] as const;
/** Attributes shown beside a message; the rest of the record is in its trace. */
const MAX_FIELDS_SHOWN = 6;

/** The logs page. */
export function LogsPage(props: {
  form: LogsForm;
  services: string[];
  logs: LogRecord[] | undefined;
  error?: string;
}): Html {
  const { form, logs } = props;
  return (
    <Layout title="Logs" section="logs" wide>
      <form class="toolbar log-filters" action="/logs" method="get" aria-label="Find logs">
        <label>
          Service{" "}
          <select name="service">
            <option value="">All services</option>
            {props.services.map((s) => (
              <option key={s} value={s} selected={s === form.service}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Level{" "}
          <select name="level">
            {LEVELS.map((level) => (
              <option value={level} selected={level === form.level}>
                {level === "" ? "Any level" : `${level} and above`}
              </option>
            ))}
          </select>
        </label>
        <label>
          Trace id <input name="trace_id" value={form.trace_id} size={34} />
        </label>
        <label>
          Text <input name="q" value={form.q} placeholder="words in the message or fields" />
        </label>
        <TimeWindowFields
          label="Window"
          lookback={form.lookback}
          start={form.start}
          end={form.end}
        />
        <label>
          Limit <input name="limit" type="number" min="1" max="1000" value={form.limit} />
        </label>
        <button type="submit" class="primary">Find logs</button>
      </form>
      {props.error === undefined ? "" : <Notice kind="error">{props.error}</Notice>}
      {logs === undefined ? "" : <LogTable logs={logs} />}
    </Layout>
  );
}

function LogTable(props: { logs: LogRecord[] }) {
  const { logs } = props;
  if (logs.length === 0) {
    return <Notice kind="info">No logs match. Widen the window or remove a filter.</Notice>;
  }
  return (
    <section class="logs" aria-label="Log records">
      <h2>{countOf(logs.length, "log record")}</h2>
      <table class="grid log-list">
        <thead>
          <tr>
            <th>Time</th>
            <th>Service</th>
            <th>Level</th>
            <th>Message</th>
            <th>Trace</th>
          </tr>
        </thead>
        <tbody>
          {logs.map((log) => (
            <tr class="log-line">
              <td class="num">{formatTime(nanosToMicros(log.timeUnixNano))}</td>
              <td>
                <ServiceTag service={log.service} />
              </td>
              <td>
                <span class={`sev sev-${log.severityText.toLowerCase()}`}>
                  {log.severityText}
                </span>
              </td>
              <td class="msg">
                {shownText(valueText(log.body))}
                {log.attributes.slice(0, MAX_FIELDS_SHOWN).map((kv) => (
                  <span class="muted field">{` ${kv.key}=${shownText(valueText(kv.value))}`}</span>
                ))}
              </td>
              <td>
                {log.traceId === "" ? <span class="muted">none</span> : (
                  <a
                    class="mono"
                    href={traceHref(log.traceId, log.spanId === "" ? undefined : log.spanId)}
                  >
                    {log.traceId.slice(0, 12)}
                  </a>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
