/** @jsxImportSource hono/jsx */
/** The Faults view: each running service's faults with their state, and forms to switch them. */
import type { FaultView } from "../../lib/faults/registry.ts";
import type { ServiceFaultsView } from "../faults/service_faults.ts";
import { type Html, Layout, Notice, ServiceTag } from "./layout.tsx";

/** What the page shows. */
export interface FaultsPageProps {
  services: ServiceFaultsView[];
  /** The last switch, e.g. `user slow_query switched on`. */
  switched?: string;
  error?: string;
}

/** The faults page. */
export function FaultsPage(props: FaultsPageProps): Html {
  return (
    <Layout title="Faults" section="faults">
      <h1>Faults</h1>
      {props.error === undefined ? "" : <Notice kind="error">{props.error}</Notice>}
      {props.switched === undefined ? "" : <Notice kind="info">{props.switched}</Notice>}
      <p class="muted">
        A fault slows or breaks one thing in one service. Every span it touches carries{" "}
        <code>fault.name</code> and a <code>fault</code> event with its parameters: search for{" "}
        <a href="/search?tags=fault.name%3Dslow_query">fault.name=slow_query</a>.
      </p>
      {props.services.length === 0
        ? <Notice kind="info">No services configured (SERVICE_URLS).</Notice>
        : props.services.map((s) => <ServiceFaults key={s.service} view={s} />)}
    </Layout>
  );
}

function ServiceFaults(props: { view: ServiceFaultsView }): Html {
  const { view } = props;
  return (
    <section
      class="fault-service"
      data-service={view.service}
      aria-label={`${view.service} faults`}
    >
      <h2>
        <ServiceTag service={view.service} /> <span class="muted">{view.url}</span>
      </h2>
      {view.error !== undefined
        ? <Notice kind="error">{view.error}</Notice>
        : (
          <table class="grid faults-table">
            <thead>
              <tr>
                <th>Fault</th>
                <th>State</th>
                <th>Switch</th>
              </tr>
            </thead>
            <tbody>
              {view.faults.map((fault) => (
                <FaultRow key={fault.name} service={view.service} fault={fault} />
              ))}
            </tbody>
          </table>
        )}
    </section>
  );
}

function FaultRow(props: { service: string; fault: FaultView }): Html {
  const { fault } = props;
  const state = fault.state as {
    enabled: boolean;
    delay_ms?: number;
    jitter_ms?: number;
    rate?: number;
  };
  const action = `/faults/${encodeURIComponent(props.service)}/${encodeURIComponent(fault.name)}`;
  const number = (name: string, label: string, value: number | undefined, step: string) => (
    <label>
      {label}{" "}
      <input type="number" name={name} value={String(value ?? "")} min="0" step={step} size={6} />
    </label>
  );
  return (
    <tr data-fault={fault.name} class={state.enabled ? "firing" : ""}>
      <td>
        <strong>{fault.name}</strong>
        <div class="muted">{fault.description}</div>
      </td>
      <td>
        <span class={`badge ${state.enabled ? "firing" : "ok"}`} data-role="fault-state">
          {state.enabled ? "on" : "off"}
        </span>
      </td>
      <td>
        <form method="post" action={action} class="toolbar">
          {fault.kind === "delay"
            ? (
              <>
                {number("delay_ms", "Delay ms", state.delay_ms, "1")}
                {number("jitter_ms", "± ms", state.jitter_ms, "1")}
              </>
            )
            : ""}
          {fault.kind === "share" ? number("rate", "Rate", state.rate, "0.01") : ""}
          <button type="submit" name="enabled" value="true">
            {state.enabled ? "Update" : "Switch on"}
          </button>
          <button type="submit" name="enabled" value="false" disabled={!state.enabled}>
            Switch off
          </button>
        </form>
      </td>
    </tr>
  );
}
