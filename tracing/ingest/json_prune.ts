/**
 * Holds OTLP/JSON to the ingest limits before `JSON.parse` builds it: `JSON.parse` makes every
 * object of a request, so a span of millions of attributes cost seconds and hundreds of MB before
 * any limit could apply. One scan of the text cuts the elements of `attributes`, `events`, `links`
 * and `values` arrays past their limit and leaves their number beside the array, in a key no
 * client sends (`"\u0000attributes": 872`), for the normalizer to count as dropped. Everything
 * else is copied as it is; text that is not JSON is left for `JSON.parse` to refuse.
 */
import type { IngestLimits } from "./limits.ts";

/** The key, beside a cut array named `name`, that holds how many of its elements were cut. */
export function prunedKey(name: string): string {
  return `\u0000${name}`;
}

interface Frame {
  array: boolean;
  /** Objects: the next string is a key. Arrays: the next value starts an element. */
  expecting: boolean;
  /** Arrays: elements so far, and the limit and name when this array is cut. */
  count: number;
  limit: number;
  name: string;
  /** Arrays: where the first element past the limit starts (its comma), or -1. */
  cutFrom: number;
  /** Arrays: just past the `[`. */
  start: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** `text` with the arrays past their limits cut, or `text` itself when none is. */
export function pruneOtlpJson(text: string, limits: IngestLimits): string {
  // Events and links are kept by position, so they are cut exactly. Attributes and kvlist entries
  // are kept while valid (an object, not nested too deep): a margin leaves room for invalid ones.
  const margin = 2 * limits.attributeCount + 64;
  const limitOf: Record<string, number> = {
    attributes: margin,
    values: margin,
    events: limits.eventCount,
    links: limits.linkCount,
  };
  const stack: Frame[] = [];
  const pieces: string[] = [];
  let copied = 0;
  let key: string | undefined;
  // Frames at or above this depth lie inside an element being cut: nothing in them is cut again.
  let cutDepth = Infinity;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top !== undefined && top.array && top.expecting && c !== 0x5d) {
      // An element starts here.
      top.expecting = false;
      top.count++;
      if (top.count === top.limit + 1 && stack.length < cutDepth) {
        top.cutFrom = top.count === 1 ? top.start : text.lastIndexOf(",", i);
        cutDepth = stack.length + 1;
      }
    }
    if (c === QUOTE) {
      // Jump from quote to quote; a quote after an odd run of backslashes is escaped.
      let j = i + 1;
      for (;;) {
        const quote = text.indexOf('"', j);
        if (quote < 0) {
          j = length;
          break;
        }
        let slash = quote - 1;
        while (slash > i && text.charCodeAt(slash) === BACKSLASH) slash--;
        j = quote;
        if ((quote - 1 - slash) % 2 === 0) break;
        j = quote + 1;
      }
      if (top !== undefined && !top.array && top.expecting) {
        const name = text.slice(i + 1, j);
        key = name.includes("\\") ? undefined : name;
        top.expecting = false;
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      const array = c === 0x5b;
      const limit = array && key !== undefined ? limitOf[key] : undefined;
      stack.push({
        array,
        expecting: true,
        count: 0,
        limit: limit ?? Infinity,
        name: key ?? "",
        cutFrom: -1,
        start: i + 1,
      });
      key = undefined;
    } else if (c === 0x7d || c === 0x5d) {
      const frame = stack.pop();
      if (frame === undefined) return text;
      key = undefined;
      if (frame.cutFrom >= 0) {
        // Only an array outside every cut element starts a cut, so this one is kept, cut.
        pieces.push(text.slice(copied, frame.cutFrom), "]");
        pieces.push(`,${JSON.stringify(prunedKey(frame.name))}:${frame.count - frame.limit}`);
        copied = i + 1;
        cutDepth = Infinity;
      }
    } else if (c === 0x2c) {
      if (top !== undefined) top.expecting = true;
    }
    i++;
  }
  if (pieces.length === 0) return text;
  pieces.push(text.slice(copied));
  return pieces.join("");
}
