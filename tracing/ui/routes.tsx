/** @jsxImportSource hono/jsx */
/**
 * The tracing page, served on the query port at Jaeger UI's paths: `/search`, `/trace/:traceId`
 * (a full id, or a unique prefix of 8 or more hex digits), `/services`, `/dependencies`, `/compare`
 * (and `/trace/:a...:b`), plus `/logs`. Rendered on the server with `hono/jsx`, which escapes
 * every text and attribute; the script and style ship as strings from
 * `/ui/app.js` and `/ui/app.css`, so a compiled binary carries everything and needs no CDN.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { HttpError } from "../../lib/http/errors.ts";
import type { AlertEngine } from "../alerts/engine.ts";
import { readTraceQuery, searchTraces } from "../query/search.ts";
import { lookupMessage, lookUpTrace, type TraceLookup } from "../query/trace_lookup.ts";
import type { StoredTrace, StoreQueries, TraceReadLimit } from "../store/query.ts";
import { ComparePage } from "./compare_page.tsx";
import { DependenciesPage } from "./dependencies_page.tsx";
import { dependencyGraph } from "./dependency_graph.ts";
import { Layout, Notice } from "./layout.tsx";
import { type LogsForm, LogsPage } from "./logs_page.tsx";
import { readLogQuery } from "../query/logs_api.ts";
import type { LogQueries } from "../store/log_query.ts";
import { SCRIPT } from "./script.ts";
import { Results, type SearchForm, SearchPage, summarize } from "./search_page.tsx";
import { serviceStats } from "./service_stats.ts";
import { ServicesPage } from "./services_page.tsx";
import { STYLE } from "./style.ts";
import { TracePage } from "./trace_page.tsx";
import { traceModel } from "./waterfall_model.ts";
import { DEFAULT_WINDOW } from "./window.ts";

/**
 * What the trace and compare pages read of one trace: each span is a row with its details in the
 * HTML, so a page stops well before the APIs do (the JSON link has up to `TRACE_READ_LIMIT`).
 */
const PAGE_READ_LIMIT: TraceReadLimit = { maxItems: 2_000, maxBytes: 8 * 1024 * 1024 };

// The page's script and style are served from this origin only; inline scripts never run, so
// even a rendering bug could not execute a span name.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Sets the page's content security policy and `no-store` on every HTML answer. */
export function pageHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.headers.get("content-type")?.startsWith("text/html")) {
      c.res.headers.set("content-security-policy", CSP);
      c.res.headers.set("cache-control", "no-store");
    }
  };
}

/** Routes of the page. */
export function uiRoutes(
  store: StoreQueries & LogQueries,
  alerts: Pick<AlertEngine, "list">,
): Hono {
  const app = new Hono();
  app.use("*", pageHeaders());
  app.get("/ui/app.js", (c) => asset(c, SCRIPT, "text/javascript; charset=utf-8"));
  app.get("/ui/app.css", (c) => asset(c, STYLE, "text/css; charset=utf-8"));
  app.get("/", (c) => c.redirect("/search"));

  app.get("/search", (c) => {
    const form = searchForm(c);
    const services = store.services();
    const operations = form.service === ""
      ? []
      : [...new Set(store.operations(form.service).map((op) => op.name))];
    const page = (results?: StoredTrace[], error?: string) =>
      c.html(
        <SearchPage
          form={form}
          services={services}
          operations={operations}
          results={results?.map(summarize)}
          {...(error === undefined ? {} : { error })}
        />,
        error === undefined ? 200 : 400,
      );
    try {
      const query = readTraceQuery(
        (name) => form[name as keyof SearchForm],
        (name) => name === "tags" && form.tags !== "" ? [form.tags] : undefined,
      );
      return page(searchTraces(store, query));
    } catch (error) {
      if (error instanceof HttpError) return page(undefined, error.message);
      throw error;
    }
  });

  app.get("/logs", (c) => {
    const get = (name: string, fallback = "") => c.req.query(name) ?? fallback;
    const form: LogsForm = {
      service: get("service"),
      level: get("level"),
      trace_id: get("trace_id").trim(),
      q: get("q"),
      lookback: get("lookback", "1h"),
      start: get("start"),
      end: get("end"),
      limit: get("limit", "100"),
    };
    const page = (logs?: ReturnType<typeof store.findLogs>, error?: string) =>
      c.html(
        <LogsPage
          form={form}
          services={store.services()}
          logs={logs}
          {...(error === undefined ? {} : { error })}
        />,
        error === undefined ? 200 : 400,
      );
    try {
      // The raw parameters: a trace's logs (linked from its page) are found at any age.
      return page(store.findLogs(readLogQuery((name) => c.req.query(name))));
    } catch (error) {
      if (error instanceof HttpError) return page(undefined, error.message);
      throw error;
    }
  });

  app.get("/trace", (c) => {
    const id = (c.req.query("id") ?? "").trim();
    return c.redirect(id === "" ? "/search" : `/trace/${encodeURIComponent(id)}`);
  });
  app.get("/trace/:traceId", (c) => {
    const id = c.req.param("traceId");
    // Jaeger UI's compare path: /trace/<a>...<b>
    const pair = id.split("...");
    if (pair.length === 2) {
      return c.redirect(
        `/compare?a=${encodeURIComponent(pair[0]!)}&b=${encodeURIComponent(pair[1]!)}`,
      );
    }
    const lookup = lookUpTrace(store, id, { limit: PAGE_READ_LIMIT });
    if (lookup.kind !== "found") return unopened(c, id, lookup);
    // A prefix opens the trace at its full id, so the address can be shared and kept.
    if (lookup.traceId !== id) return c.redirect(`/trace/${lookup.traceId}`);
    return c.html(<TracePage model={traceModel(lookup.trace)} />);
  });

  app.get("/compare", (c) => {
    const picked = c.req.queries("trace") ?? [];
    const a = (c.req.query("a") ?? picked[0] ?? "").trim();
    const b = (c.req.query("b") ?? picked[1] ?? "").trim();
    const lookups = [a, b].map((id) =>
      id === "" ? undefined : lookUpTrace(store, id, { limit: PAGE_READ_LIMIT })
    );
    const traces = lookups.map((lookup) => lookup?.kind === "found" ? lookup.trace : undefined);
    const problems = lookups.flatMap((lookup, index) =>
      lookup === undefined || lookup.kind === "found" ? [] : [lookupMessage([a, b][index]!, lookup)]
    );
    return c.html(
      <ComparePage
        ids={[a, b]}
        models={traces.map((t) => t === undefined ? undefined : traceModel(t))}
        problems={problems}
      />,
    );
  });

  app.get("/services", (c) => {
    const lookback = c.req.query("lookback") || DEFAULT_WINDOW;
    return c.html(<ServicesPage {...serviceStats(store, alerts.list(), lookback)} />);
  });

  app.get("/dependencies", (c) => {
    const lookback = c.req.query("lookback") || DEFAULT_WINDOW;
    return c.html(
      <DependenciesPage graph={dependencyGraph(store, lookback)} lookback={lookback} />,
    );
  });
  return app;
}

function searchForm(c: Context): SearchForm {
  const get = (name: string, fallback = "") => c.req.query(name) ?? fallback;
  const tags = c.req.queries("tags") ?? c.req.queries("tag") ?? [];
  return {
    service: get("service"),
    operation: get("operation") === "all" ? "" : get("operation"),
    tags: tags.join(" "),
    minDuration: get("minDuration"),
    maxDuration: get("maxDuration"),
    lookback: get("lookback", "1h"),
    start: get("start"),
    end: get("end"),
    limit: get("limit", "20"),
  };
}

/** The answer for an id that opens no single trace: 400, 404, or 300 listing the matches. */
function unopened(c: Context, id: string, lookup: Exclude<TraceLookup, { kind: "found" }>) {
  const message = lookupMessage(id, lookup);
  if (lookup.kind === "ambiguous") {
    return c.html(
      <Layout title="Several traces match" section="trace">
        <Notice kind="info">{message}</Notice>
        <Results results={lookup.traces.map(summarize)} />
      </Layout>,
      300,
    );
  }
  return c.html(
    <Layout title="Trace not found" section="trace">
      <Notice kind="error">{message}</Notice>
      <p>
        <a href="/search">Search for traces</a>
      </p>
    </Layout>,
    lookup.kind === "invalid" ? 400 : 404,
  );
}

function asset(c: Context, body: string, type: string) {
  c.header("content-type", type);
  c.header("cache-control", "public, max-age=300");
  return c.body(body);
}
