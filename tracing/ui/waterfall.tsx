/** @jsxImportSource hono/jsx */
/** The waterfall: one row per span in tree order, bars to scale, collapsible, with details. */
import { isError, SPAN_KINDS } from "../span_model.ts";
import { countOf, formatDuration, percent, serviceColor } from "./format.ts";
import { type Html, ServiceTag } from "./layout.tsx";
import { SpanDetails } from "./span_details.tsx";
import type { TraceModel, WaterfallRow } from "./waterfall_model.ts";

/** Options of the waterfall. */
export interface WaterfallOptions {
  /** Render the details panel of each span (the trace view does; compare does not). */
  details: boolean;
  /** Span keys (`service\u0000name`) to mark as present in this trace only. */
  onlyHere?: ReadonlySet<string>;
}

/** The waterfall of a trace. */
export function Waterfall(props: { model: TraceModel; options: WaterfallOptions }): Html {
  const { model } = props;
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <div class="waterfall" role="tree" aria-label="Spans of the trace">
      <div class="wf-head" aria-hidden="true">
        <div class="name">Service and operation</div>
        <div class="lane">
          {ticks.map((t) => (
            <span class={`tick${t === 1 ? " last" : ""}`} style={`left:${t * 100}%`}>
              {formatDuration(model.durationUs * t)}
            </span>
          ))}
        </div>
      </div>
      {model.rows.map((row) => (
        <Item
          key={row.id}
          model={model}
          row={row}
          options={props.options}
        />
      ))}
    </div>
  );
}

function Item(props: { model: TraceModel; row: WaterfallRow; options: WaterfallOptions }) {
  const { model, row, options } = props;
  const { span } = row;
  const wait = row.type === "wait";
  const key = `${span.service}\u0000${span.name}`;
  const classes = [
    "row",
    row.type,
    !wait && isError(span) ? "error" : "",
    row.critical.length > 0 ? "critical" : "",
    !wait && options.onlyHere?.has(key) ? "only" : "",
  ].filter((c) => c !== "").join(" ");
  return (
    <div class="item" id={`span-${row.id}`} data-depth={row.depth}>
      <div
        class={classes}
        tabindex={0}
        role="treeitem"
        aria-level={row.depth + 1}
        aria-expanded={row.hasChildren ? "true" : undefined}
        data-kind={wait ? "wait" : SPAN_KINDS[span.kind] ?? "unspecified"}
        data-span-id={wait ? undefined : span.spanId}
      >
        <div class="name" style={`padding-left:${row.depth * 14 + 4}px`}>
          {row.hasChildren
            ? <button type="button" class="toggle" tabindex={-1} aria-label="Collapse">▾</button>
            : <span class="toggle"></span>}
          {wait ? <WaitName row={row} /> : (
            <>
              <ServiceTag service={span.service} />
              <span class="op">{span.name}</span>
              {isError(span) ? <span class="badge error">error</span> : ""}
              <LogBadge model={model} spanId={span.spanId} />
            </>
          )}
        </div>
        <Lane model={model} row={row} />
      </div>
      {options.details && !wait ? <SpanDetails model={model} span={span} /> : ""}
    </div>
  );
}

/** How many log records the span wrote; warn or error colour when one of them is. */
function LogBadge(props: { model: TraceModel; spanId: string }) {
  const logs = props.model.logsBySpan.get(props.spanId) ?? [];
  if (logs.length === 0) return "";
  const worst = Math.max(...logs.map((log) => log.severityNumber));
  const level = worst >= 17 ? " error" : worst >= 13 ? " warn" : "";
  return (
    <span class={`badge logs${level}`} title="log records of this span, in its details">
      {countOf(logs.length, "log")}
    </span>
  );
}

function WaitName(props: { row: WaterfallRow }) {
  return (
    <span class="wait-name">
      <span class="op">broker wait</span>
      {props.row.destination === undefined ? "" : (
        <span class="dest">
          in <code>{props.row.destination}</code>
        </span>
      )}
    </span>
  );
}

function Lane(props: { model: TraceModel; row: WaterfallRow }) {
  const { model, row } = props;
  const total = model.durationUs;
  const left = percent(row.offsetUs, total);
  const width = Math.max(percent(row.durationUs, total), 0.15);
  const color = row.type === "wait" ? "" : `background:${serviceColor(row.span.service)};`;
  // The lane keeps a margin on its right, so the label always fits after the bar.
  const label = `left:calc(${(left + width).toFixed(3)}% + 4px)`;
  return (
    <div class="lane">
      <div class="bar" style={`${color}left:${left.toFixed(3)}%;width:${width.toFixed(3)}%`}>
      </div>
      {row.critical.map((c) => (
        <div
          class="cp"
          style={`left:${percent(c.offsetUs, total).toFixed(3)}%;width:${
            Math.max(percent(c.durationUs, total), 0.1).toFixed(3)
          }%`}
        >
        </div>
      ))}
      <span class="dur" style={label}>{formatDuration(row.durationUs)}</span>
    </div>
  );
}
