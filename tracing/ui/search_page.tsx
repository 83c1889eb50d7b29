/** @jsxImportSource hono/jsx */
/** The search view: the form, a duration-over-time scatter and the result list. */
import { durationMicros, isError, startMicros } from "../span_model.ts";
import type { StoredTrace } from "../store/query.ts";
import { countOf, formatDuration, formatTime, percent, traceHref } from "./format.ts";
import { type Html, Layout, Notice, ServiceTag, TimeWindowFields } from "./layout.tsx";
import { Scatter } from "./scatter.tsx";

/** One search result. */
export interface TraceSummary {
  traceId: string;
  service: string;
  operation: string;
  startUs: number;
  durationUs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

/** Summarizes a stored trace for the list. */
export function summarize(trace: StoredTrace): TraceSummary {
  const { spans } = trace;
  const ids = new Set(spans.map((s) => s.spanId));
  const root = spans.find((s) => s.parentSpanId === "") ??
    spans.find((s) => !ids.has(s.parentSpanId)) ?? spans[0]!;
  const startUs = Math.min(...spans.map(startMicros));
  const endUs = Math.max(...spans.map((s) => startMicros(s) + durationMicros(s)));
  return {
    traceId: root.traceId,
    service: root.service,
    operation: root.name,
    startUs,
    durationUs: endUs - startUs,
    spanCount: spans.length,
    errorCount: spans.filter(isError).length,
    services: [...new Set(spans.map((s) => s.service))].sort(),
  };
}

/** The form's values, as given in the query string. */
export type SearchForm = Record<
  | "service"
  | "operation"
  | "tags"
  | "minDuration"
  | "maxDuration"
  | "lookback"
  | "start"
  | "end"
  | "limit",
  string
>;

/** The search page. */
export function SearchPage(props: {
  form: SearchForm;
  services: string[];
  operations: string[];
  results: TraceSummary[] | undefined;
  error?: string;
}): Html {
  const { form, results } = props;
  return (
    <Layout title="Search" section="search" wide>
      <div class="search">
        <SearchFormView form={form} services={props.services} operations={props.operations} />
        <div class="results">
          {props.error === undefined ? "" : <Notice kind="error">{props.error}</Notice>}
          {results === undefined ? "" : <Results results={results} />}
        </div>
      </div>
    </Layout>
  );
}

function SearchFormView(props: { form: SearchForm; services: string[]; operations: string[] }) {
  const { form } = props;
  const field = (name: keyof SearchForm, label: string, placeholder: string) => (
    <label>
      {label}
      <input name={name} value={form[name]} placeholder={placeholder} />
    </label>
  );
  return (
    <form class="search-form" action="/search" method="get" aria-label="Find traces">
      <label>
        Service
        <select name="service" data-role="service">
          <option value="">All services</option>
          {props.services.map((s) => (
            <option key={s} value={s} selected={s === form.service}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Operation
        <select name="operation" data-role="operation">
          <option value="">All operations</option>
          {props.operations.map((op) => (
            <option value={op} selected={op === form.operation}>{op}</option>
          ))}
        </select>
      </label>
      {field("tags", "Tags", "http.response.status_code=500 error=true")}
      <div class="pair">
        {field("minDuration", "Min duration", "e.g. 100ms")}
        {field("maxDuration", "Max duration", "e.g. 2s")}
      </div>
      <TimeWindowFields
        label="Lookback"
        lookback={form.lookback}
        start={form.start}
        end={form.end}
      />
      <label>
        Limit
        <input name="limit" type="number" min="1" max="1000" value={form.limit} />
      </label>
      <button type="submit" class="primary">Find traces</button>
    </form>
  );
}

/** The result list with its scatter, each row a link to its trace; two can be compared. */
export function Results(props: { results: TraceSummary[] }): Html {
  const { results } = props;
  if (results.length === 0) {
    return <Notice kind="info">No traces match. Widen the lookback or remove a filter.</Notice>;
  }
  const longest = Math.max(...results.map((r) => r.durationUs));
  return (
    <form action="/compare" method="get" class="result-list">
      <Scatter results={results} />
      <div class="result-bar">
        <h2>{countOf(results.length, "trace")}</h2>
        <button type="submit">Compare the two selected</button>
      </div>
      <ol class="traces">
        {results.map((r) => (
          <li class="result" tabindex={0} data-href={traceHref(r.traceId)}>
            <div class="result-title">
              <input
                type="checkbox"
                name="trace"
                value={r.traceId}
                aria-label={`Select ${r.traceId} to compare`}
              />
              <a href={traceHref(r.traceId)} tabindex={-1}>
                <ServiceTag service={r.service} /> <span class="op">{r.operation}</span>
              </a>
              <span class="muted mono">{r.traceId.slice(0, 12)}</span>
              <span class="when">{formatTime(r.startUs)}</span>
            </div>
            <div class="result-bar-row">
              <div class="dbar">
                <div style={`width:${Math.max(percent(r.durationUs, longest), 0.5).toFixed(2)}%`}>
                </div>
              </div>
              <span class="num">{formatDuration(r.durationUs)}</span>
            </div>
            <div class="result-meta">
              <span>{countOf(r.spanCount, "span")}</span>
              {r.errorCount > 0
                ? <span class="badge error">{countOf(r.errorCount, "error")}</span>
                : <span class="muted">0 errors</span>}
              {r.services.map((s) => <ServiceTag key={s} service={s} />)}
            </div>
          </li>
        ))}
      </ol>
    </form>
  );
}
