/** @jsxImportSource hono/jsx */
/** The dependency view: the service graph as inline SVG, and the same edges as a table. */
import { queryString, serviceColor } from "./format.ts";
import { type Html, Layout, LookbackForm, Notice, ServiceTag } from "./layout.tsx";
import type { DependencyGraph, GraphNode } from "./dependency_graph.ts";
import { WINDOW_CHOICES } from "./window.ts";

const HEIGHT = 34;

/** The dependencies page. */
export function DependenciesPage(props: { graph: DependencyGraph; lookback: string }): Html {
  const { graph } = props;
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  return (
    <Layout title="Dependencies" section="dependencies">
      <h1>Dependencies</h1>
      {graph.error === undefined ? "" : <Notice kind="error">{graph.error}</Notice>}
      <LookbackForm action="/dependencies" lookbacks={WINDOW_CHOICES} selected={props.lookback}>
        <span class="legend">
          Solid: HTTP and other calls. Dashed: through a message broker, with its queue.
        </span>
      </LookbackForm>
      {graph.nodes.length === 0
        ? <Notice kind="info">No calls between services in this window.</Notice>
        : (
          <svg
            class="graph"
            viewBox={`0 0 ${graph.width} ${graph.height}`}
            style={`max-width:${graph.width}px`}
            role="img"
            aria-label="Service dependency graph"
          >
            <defs>
              <marker
                id="arrow"
                viewBox="0 0 10 10"
                refX="10"
                refY="5"
                markerWidth="8"
                markerHeight="8"
                orient="auto-start-reverse"
              >
                <path d="M 0 0 L 10 5 L 0 10 z" fill="#7d8791" />
              </marker>
            </defs>
            {graph.edges.map((edge) => {
              const from = byId.get(edge.from)!;
              const to = byId.get(edge.to)!;
              const [x1, y1, x2, y2] = [from.x + from.width, from.y, to.x, to.y];
              const mx = (x1 + x2) / 2;
              const my = (y1 + y2) / 2;
              const path = `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2 - 2} ${y2}`;
              return (
                <g data-edge={`${from.label} → ${to.label}`}>
                  <path
                    class={`edge${edge.broker ? " broker" : ""}`}
                    d={path}
                    marker-end="url(#arrow)"
                  />
                  <rect class="count-bg" x={mx - 18} y={my - 10} width="36" height="18" rx="4" />
                  <text class="count" x={mx} y={my + 4} text-anchor="middle">{edge.count}</text>
                </g>
              );
            })}
            {graph.nodes.map((node) => <Node key={node.id} node={node} />)}
          </svg>
        )}
      <h2>Calls</h2>
      <table class="grid">
        <thead>
          <tr>
            <th>Caller</th>
            <th>Via</th>
            <th>Callee</th>
            <th class="num">Calls</th>
          </tr>
        </thead>
        <tbody>
          {graph.calls.map((call) => (
            <tr>
              <td>
                <ServiceTag service={call.parent} />
              </td>
              <td>{call.via === undefined ? "direct" : <code>{`queue ${call.via}`}</code>}</td>
              <td>
                <ServiceTag service={call.child} />
              </td>
              <td class="num">{call.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

function Node(props: { node: GraphNode }) {
  const { node } = props;
  const label = node.label.length > 26 ? `${node.label.slice(0, 25)}…` : node.label;
  const box = (
    <g class={`node ${node.type}`} data-node={node.label}>
      <title>{node.type === "queue" ? `queue ${node.label}` : node.label}</title>
      <rect
        x={node.x}
        y={node.y - HEIGHT / 2}
        width={node.width}
        height={HEIGHT}
        rx={node.type === "queue" ? 4 : 8}
        stroke={node.type === "service" ? serviceColor(node.label) : undefined}
      />
      <text x={node.x + node.width / 2} y={node.y + 4.5} text-anchor="middle">{label}</text>
    </g>
  );
  if (node.type === "queue") return box;
  return <a href={`/search${queryString({ service: node.label })}`}>{box}</a>;
}
