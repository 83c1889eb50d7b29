/** @jsxImportSource hono/jsx */
/** Two traces side by side, with the operations only one of them has marked. */
import { durationMicros } from "../span_model.ts";
import { formatDuration } from "./format.ts";
import { type Html, Layout, Notice, ServiceTag } from "./layout.tsx";
import { TraceHeader } from "./trace_page.tsx";
import { Waterfall } from "./waterfall.tsx";
import type { TraceModel } from "./waterfall_model.ts";

/** The compare page; either model may be missing. */
export function ComparePage(props: {
  ids: [string, string];
  models: (TraceModel | undefined)[];
  problems: string[];
}): Html {
  const [a, b] = props.models;
  const keysOf = (m: TraceModel | undefined) =>
    new Set(m?.rows.filter((r) => r.type === "span").map((r) => key(r.span)) ?? []);
  const [keysA, keysB] = [keysOf(a), keysOf(b)];
  const only = (mine: Set<string>, other: Set<string>) =>
    new Set([...mine].filter((k) => !other.has(k)));
  return (
    <Layout title="Compare traces" section="compare" wide>
      <h1>Compare traces</h1>
      <form class="compare-form" action="/compare" method="get">
        <input name="a" value={props.ids[0]} placeholder="Trace A id" aria-label="Trace A id" />
        <input name="b" value={props.ids[1]} placeholder="Trace B id" aria-label="Trace B id" />
        <button type="submit" class="primary">Compare</button>
      </form>
      {props.problems.map((p) => <Notice key={p} kind="error">{p}</Notice>)}
      {a !== undefined && b !== undefined ? <Differences a={a} b={b} /> : ""}
      <div class="compare">
        {[a, b].map((model, i) =>
          model === undefined ? <div key={i}></div> : (
            <div data-side={i === 0 ? "a" : "b"}>
              <TraceHeader model={model} heading={i === 0 ? "A " : "B "} />
              <Waterfall
                model={model}
                options={{
                  details: false,
                  onlyHere: i === 0 ? only(keysA, keysB) : only(keysB, keysA),
                }}
              />
            </div>
          )
        )}
      </div>
    </Layout>
  );
}

function key(span: { service: string; name: string }): string {
  return `${span.service}\u0000${span.name}`;
}

/** Per operation: how many spans and how much time each trace spent in it. */
function Differences(props: { a: TraceModel; b: TraceModel }) {
  const tally = (model: TraceModel) => {
    const map = new Map<string, { count: number; us: number }>();
    for (const span of model.byId.values()) {
      const entry = map.get(key(span)) ?? { count: 0, us: 0 };
      entry.count++;
      entry.us += durationMicros(span);
      map.set(key(span), entry);
    }
    return map;
  };
  const [ta, tb] = [tally(props.a), tally(props.b)];
  const keys = [...new Set([...ta.keys(), ...tb.keys()])].sort();
  return (
    <details class="panel" open>
      <summary>
        {`Operations: ${keys.length}, total ${formatDuration(props.a.durationUs)} (A) vs ${
          formatDuration(props.b.durationUs)
        } (B). Highlighted rows appear in one trace only.`}
      </summary>
      <table class="grid">
        <thead>
          <tr>
            <th>Operation</th>
            <th class="num">Spans A</th>
            <th class="num">Spans B</th>
            <th class="num">Time A</th>
            <th class="num">Time B</th>
            <th class="num">Δ time</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => {
            const [service, name] = k.split("\u0000") as [string, string];
            const x = ta.get(k);
            const y = tb.get(k);
            return (
              <tr class={x === undefined || y === undefined ? "firing" : ""}>
                <td>
                  <ServiceTag service={service} /> <span class="op">{name}</span>
                </td>
                <td class="num">{x?.count ?? 0}</td>
                <td class="num">{y?.count ?? 0}</td>
                <td class="num">{x === undefined ? "–" : formatDuration(x.us)}</td>
                <td class="num">{y === undefined ? "–" : formatDuration(y.us)}</td>
                <td class="num">
                  {x === undefined || y === undefined
                    ? "–"
                    : `${y.us >= x.us ? "+" : "−"}${formatDuration(Math.abs(y.us - x.us))}`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </details>
  );
}
