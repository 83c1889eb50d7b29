/** @jsxImportSource hono/jsx */
/** Duration over time of search results, as an inline SVG scatter; each dot opens its trace. */
import { countOf, formatDuration, formatTime, traceHref } from "./format.ts";
import type { Html } from "./layout.tsx";
import type { TraceSummary } from "./search_page.tsx";

const WIDTH = 1100;
const HEIGHT = 170;
const PAD = { left: 64, right: 16, top: 12, bottom: 28 };

/** The scatter of `results`. */
export function Scatter(props: { results: TraceSummary[] }): Html {
  const { results } = props;
  const minT = Math.min(...results.map((r) => r.startUs));
  const maxT = Math.max(...results.map((r) => r.startUs));
  const maxD = Math.max(...results.map((r) => r.durationUs), 1);
  const spanT = Math.max(maxT - minT, 1);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (t: number) =>
    PAD.left + (results.length === 1 ? plotW / 2 : ((t - minT) / spanT) * plotW);
  const y = (d: number) => PAD.top + plotH - (d / maxD) * plotH;
  const yTicks = [0, 0.5, 1].map((f) => maxD * f);
  return (
    <svg
      class="scatter"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label="Trace duration over time"
    >
      {yTicks.map((d) => (
        <g>
          <line class="gridline" x1={PAD.left} x2={WIDTH - PAD.right} y1={y(d)} y2={y(d)} />
          <text class="axis" x={PAD.left - 6} y={y(d) + 4} text-anchor="end">
            {formatDuration(d)}
          </text>
        </g>
      ))}
      <text class="axis" x={PAD.left} y={HEIGHT - 8}>{formatTime(minT).slice(11, 23)}</text>
      <text class="axis" x={WIDTH - PAD.right} y={HEIGHT - 8} text-anchor="end">
        {`${formatTime(maxT).slice(11, 23)} UTC`}
      </text>
      {results.map((r) => (
        <a href={traceHref(r.traceId)} tabindex={-1}>
          <circle
            class={r.errorCount > 0 ? "dot error" : "dot"}
            cx={x(r.startUs).toFixed(1)}
            cy={y(r.durationUs).toFixed(1)}
            r="6"
          >
            <title>
              {`${r.service}: ${r.operation} · ${formatDuration(r.durationUs)} · ${
                countOf(r.spanCount, "span")
              }`}
            </title>
          </circle>
        </a>
      ))}
    </svg>
  );
}
