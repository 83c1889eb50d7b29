/**
 * The service graph: call counts between services from the store, with each producer → consumer
 * hop drawn through its queue, laid out in columns by distance from the callers.
 */
import { searchTraces } from "../query/search.ts";
import { readWindow } from "./window.ts";
import { attributeText } from "../span_model.ts";
import type { StoreQueries } from "../store/query.ts";

const PRODUCER = 4;
const CONSUMER = 5;
/** How many recent traces are read to find which edges go through a broker. */
const BROKER_SAMPLE = 200;

/** A node: a service, or a queue between a producer and a consumer. */
export interface GraphNode {
  id: string;
  label: string;
  type: "service" | "queue";
  x: number;
  y: number;
  width: number;
}

/** An edge with its call count. */
export interface GraphEdge {
  from: string;
  to: string;
  count: number;
  broker: boolean;
}

/** The laid-out graph and the plain edge list. */
export interface DependencyGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  calls: { parent: string; child: string; count: number; via?: string }[];
  width: number;
  height: number;
  error?: string;
}

/** Builds the graph over the last `lookback`. */
export function dependencyGraph(
  store: StoreQueries,
  lookback: string,
  nowMs = Date.now(),
): DependencyGraph {
  const { windowUs, error } = readWindow(lookback);
  const endUs = nowMs * 1000;
  const deps = store.dependencies(endUs - windowUs, endUs);
  const queues = brokerHops(store, endUs - windowUs);
  const edges: GraphEdge[] = [];
  const calls: DependencyGraph["calls"] = [];
  const labels = new Map<string, { label: string; type: GraphNode["type"] }>();
  for (const dep of deps) {
    labels.set(`s:${dep.parent}`, { label: dep.parent, type: "service" });
    labels.set(`s:${dep.child}`, { label: dep.child, type: "service" });
    const via = queues.get(`${dep.parent}\u0000${dep.child}`);
    if (via === undefined) {
      edges.push({
        from: `s:${dep.parent}`,
        to: `s:${dep.child}`,
        count: dep.callCount,
        broker: false,
      });
      calls.push({ parent: dep.parent, child: dep.child, count: dep.callCount });
      continue;
    }
    const queueId = `q:${via}`;
    labels.set(queueId, { label: via, type: "queue" });
    edges.push({ from: `s:${dep.parent}`, to: queueId, count: dep.callCount, broker: true });
    edges.push({ from: queueId, to: `s:${dep.child}`, count: dep.callCount, broker: true });
    calls.push({ parent: dep.parent, child: dep.child, count: dep.callCount, via });
  }
  return { ...layout(labels, edges), edges, calls, ...(error === undefined ? {} : { error }) };
}

/** The queue of each producer-service → consumer-service pair seen in recent traces. */
function brokerHops(store: StoreQueries, sinceUs: number): Map<string, string> {
  const hops = new Map<string, string>();
  for (const trace of searchTraces(store, { startUs: sinceUs, limit: BROKER_SAMPLE, tags: {} })) {
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    for (const span of trace.spans) {
      const parent = byId.get(span.parentSpanId);
      if (span.kind !== CONSUMER || parent?.kind !== PRODUCER) continue;
      const queue = attributeText(span.attributes, "messaging.destination.name") ??
        attributeText(parent.attributes, "messaging.destination.name") ?? "broker";
      hops.set(`${parent.service}\u0000${span.service}`, queue);
    }
  }
  return hops;
}

const COLUMN = 230;
const ROW = 74;
const MARGIN = 24;

function layout(
  labels: Map<string, { label: string; type: GraphNode["type"] }>,
  edges: GraphEdge[],
): { nodes: GraphNode[]; width: number; height: number } {
  const ids = [...labels.keys()].sort();
  const layer = new Map(ids.map((id) => [id, 0]));
  // Longest path from the sources; bounded passes, so a cycle cannot loop forever.
  for (let pass = 0; pass < ids.length; pass++) {
    let changed = false;
    for (const edge of edges) {
      const next = layer.get(edge.from)! + 1;
      if (next > layer.get(edge.to)! && next < ids.length) {
        layer.set(edge.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns = new Map<number, string[]>();
  for (const id of ids) columns.set(layer.get(id)!, [...(columns.get(layer.get(id)!) ?? []), id]);
  // Order each column by where its callers sit, so edges cross less.
  const position = new Map<string, number>();
  for (const column of [...columns.keys()].sort((x, y) => x - y)) {
    const members = columns.get(column)!;
    const weight = (id: string) => {
      const from = edges.filter((e) => e.to === id).map((e) => position.get(e.from))
        .filter((p): p is number => p !== undefined);
      return from.length === 0 ? Infinity : from.reduce((x, y) => x + y, 0) / from.length;
    };
    members.sort((x, y) => weight(x) - weight(y) || x.localeCompare(y));
    members.forEach((id, i) => position.set(id, i));
  }
  const tallest = Math.max(0, ...[...columns.values()].map((c) => c.length));
  const height = Math.max(tallest * ROW + MARGIN, 120);
  const nodes: GraphNode[] = [];
  for (const [column, members] of columns) {
    const top = (height - members.length * ROW) / 2;
    members.forEach((id, i) => {
      const { label, type } = labels.get(id)!;
      nodes.push({
        id,
        label,
        type,
        x: MARGIN + column * COLUMN,
        y: top + i * ROW + ROW / 2,
        width: Math.min(Math.max(label.length * 7.5 + 34, 90), COLUMN - 60),
      });
    });
  }
  const width = MARGIN * 2 + Math.max(0, columns.size - 1) * COLUMN + COLUMN - 60;
  return { nodes, width, height };
}
