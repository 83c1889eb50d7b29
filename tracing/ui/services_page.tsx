/** @jsxImportSource hono/jsx */
/** The services view: per service and operation rate, error rate and percentiles, and alerts. */
import type { AlertState } from "../alerts/engine.ts";
import type { LatencyStats } from "../query/trace_view.ts";
import { countOf, formatMs, formatPercent, queryString } from "./format.ts";
import { type Html, Layout, LookbackForm, Notice, ServiceTag } from "./layout.tsx";
import type { ServicesView } from "./service_stats.ts";
import { WINDOW_CHOICES } from "./window.ts";

/** The services page. */
export function ServicesPage(props: ServicesView): Html {
  const firing = props.alerts.filter((a) => a.state === "firing");
  const firingFor = (service: string, operation?: string) =>
    firing.filter((a) => a.rule.service === service && a.rule.operation === operation);
  return (
    <Layout title="Services" section="services">
      <h1>Services</h1>
      {props.error === undefined ? "" : <Notice kind="error">{props.error}</Notice>}
      <LookbackForm action="/services" lookbacks={WINDOW_CHOICES} selected={props.lookback} />
      <Alerts alerts={props.alerts} firing={firing} />
      {props.services.length === 0
        ? <Notice kind="info">No spans stored yet.</Notice>
        : (
          <table class="grid services-table">
            <thead>
              <tr>
                <th>Service / operation</th>
                <th class="num">Spans</th>
                <th class="num">Rate</th>
                <th class="num">Error rate</th>
                <th class="num">p50</th>
                <th class="num">p90</th>
                <th class="num">p99</th>
                <th>Alerts</th>
              </tr>
            </thead>
            <tbody>
              {props.services.map((s) => (
                <>
                  <StatsRow
                    label={<ServiceTag service={s.service} />}
                    href={`/search${queryString({ service: s.service })}`}
                    stats={s.stats}
                    firing={firingFor(s.service)}
                    kind="service-row"
                  />
                  {s.operations.map((op) => (
                    <StatsRow
                      label={<OperationLabel name={op.name} kind={op.kind} />}
                      href={`/search${queryString({ service: s.service, operation: op.name })}`}
                      stats={op.stats}
                      firing={firingFor(s.service, op.name)}
                      kind="operation-row"
                    />
                  ))}
                </>
              ))}
            </tbody>
          </table>
        )}
    </Layout>
  );
}

/**
 * An operation with its span kind. A SERVER span named by its method alone answered a path no
 * route matched (a 404): say so, as it is not a route of the service.
 */
function OperationLabel(props: { name: string; kind: string }) {
  const unmatched = props.kind === "server" && /^[A-Z]+$/.test(props.name);
  return (
    <>
      <span class="op">{props.name}</span> <span class="kind muted">{props.kind}</span>
      {unmatched ? <span class="muted">· no route matched</span> : ""}
    </>
  );
}

function StatsRow(props: {
  label: Html;
  href: string;
  stats: LatencyStats;
  firing: AlertState[];
  kind: string;
}) {
  const { stats } = props;
  return (
    <tr class={`${props.kind}${props.firing.length > 0 ? " firing" : ""}`}>
      <td style={props.kind === "operation-row" ? "padding-left:28px" : ""}>
        <a href={props.href}>{props.label}</a>
      </td>
      <td class="num">{stats.count}</td>
      <td class="num">{rate(stats.rate_per_second)}</td>
      <td class={`num${stats.error_rate > 0 ? " error-text" : ""}`}>
        {formatPercent(stats.error_rate)}
      </td>
      <td class="num">{formatMs(stats.p50_ms)}</td>
      <td class="num">{formatMs(stats.p90_ms)}</td>
      <td class="num">{formatMs(stats.p99_ms)}</td>
      <td>
        {props.firing.map((a) => <span key={a.rule.name} class="badge firing">{a.rule.name}</span>)}
      </td>
    </tr>
  );
}

function Alerts(props: { alerts: AlertState[]; firing: AlertState[] }) {
  if (props.alerts.length === 0) {
    return <p class="muted">No alert rules (set ALERT_RULES or POST /api/v1/alerts/rules).</p>;
  }
  return (
    <section class="alerts" aria-label="Alerts">
      {props.firing.length > 0
        ? <Notice kind="error">{`${countOf(props.firing.length, "alert")} firing`}</Notice>
        : <Notice kind="info">No alert is firing.</Notice>}
      <table class="grid">
        <thead>
          <tr>
            <th>Rule</th>
            <th>State</th>
            <th class="num">Value</th>
            <th class="num">Threshold</th>
            <th>Since</th>
            <th>Evaluation error</th>
          </tr>
        </thead>
        <tbody>
          {props.alerts.map((a) => (
            <tr class={a.state === "firing" ? "firing" : ""}>
              <td>{a.rule.name}</td>
              <td>
                <span class={`badge ${a.state}`}>{a.state}</span>
              </td>
              <td class="num">{alertValue(a.rule.metric, a.value)}</td>
              <td class="num">{alertValue(a.rule.metric, a.rule.threshold)}</td>
              <td>{a.since ?? "–"}</td>
              <td>{a.error ?? "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function alertValue(metric: string, value: number | null): string {
  if (value === null) return "no data";
  return metric === "error_rate" ? formatPercent(value) : formatMs(value);
}

function rate(perSecond: number): string {
  if (perSecond >= 1) return `${perSecond.toFixed(1)}/s`;
  const perMinute = perSecond * 60;
  return `${perMinute.toFixed(perMinute >= 10 ? 0 : 2)}/min`;
}
