/** @jsxImportSource hono/jsx */
/** The frame every view shares: head, navigation, a trace-id box. */
import type { Child } from "hono/jsx";
import type { HtmlEscapedString } from "hono/utils/html";
import { serviceColor } from "./format.ts";

/** What a component renders to. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** Which navigation entry is current. */
export type Section =
  | "search"
  | "trace"
  | "logs"
  | "services"
  | "dependencies"
  | "compare"
  | "faults";

/** The page frame. */
export function Layout(
  props: { title: string; section: Section; children?: Child; wide?: boolean },
): Html {
  const link = (section: Section, href: string, label: string) => (
    <a href={href} class={props.section === section ? "current" : ""}>
      {label}
    </a>
  );
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · tracing`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/ui/app.css" />
        <script src="/ui/app.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/search">tracing</a>
          <nav aria-label="Views">
            {link("search", "/search", "Search")}
            {link("logs", "/logs", "Logs")}
            {link("services", "/services", "Services")}
            {link("dependencies", "/dependencies", "Dependencies")}
            {link("compare", "/compare", "Compare")}
            {link("faults", "/faults", "Faults")}
          </nav>
          <form class="goto" action="/trace" method="get" role="search">
            <input
              name="id"
              placeholder="Trace id"
              aria-label="Open trace by id, or by its first 8 or more hex digits"
              title="A trace id, or its first 8 or more hex digits"
              pattern="[0-9a-fA-F]{8,32}"
              size={34}
            />
            <button type="submit">Open</button>
          </form>
        </header>
        <main class={props.wide ? "wide" : ""}>{props.children}</main>
      </body>
    </html>
  );
}

/** A service name with its colour swatch. */
export function ServiceTag(props: { service: string }): Html {
  return (
    <span class="svc">
      <i class="swatch" style={`background:${serviceColor(props.service)}`}></i>
      {props.service}
    </span>
  );
}

/** An error message box. */
export function Notice(props: { kind: "error" | "info"; children?: Child }): Html {
  return (
    <p class={`notice ${props.kind}`} role={props.kind === "error" ? "alert" : "status"}>
      {props.children}
    </p>
  );
}

const WINDOWS = [
  ["15m", "Last 15 minutes"],
  ["1h", "Last hour"],
  ["6h", "Last 6 hours"],
  ["24h", "Last 24 hours"],
  ["168h", "Last 7 days"],
  ["custom", "Custom range"],
] as const;

/**
 * The lookback picker with its custom range, as the search and logs forms show it; the page script
 * shows the range only while "Custom range" is picked.
 */
export function TimeWindowFields(
  props: { label: string; lookback: string; start: string; end: string },
): Html {
  return (
    <>
      <label>
        {props.label}{" "}
        <select name="lookback" data-role="lookback">
          {WINDOWS.map(([value, label]) => (
            <option value={value} selected={value === props.lookback}>{label}</option>
          ))}
        </select>
      </label>
      <div class="pair custom-range" hidden={props.lookback !== "custom"}>
        <label>
          From <input name="start" value={props.start} placeholder="2025-01-31T12:00" />
        </label>
        <label>
          To <input name="end" value={props.end} placeholder="2025-01-31T13:00" />
        </label>
      </div>
    </>
  );
}

/** The time-window picker of the services and dependencies pages. */
export function LookbackForm(props: {
  action: string;
  lookbacks: readonly string[];
  selected: string;
  children?: Child;
}): Html {
  return (
    <form class="toolbar" action={props.action} method="get">
      <label>
        Window{" "}
        <select name="lookback">
          {props.lookbacks.map((l) => (
            <option key={l} value={l} selected={l === props.selected}>{l}</option>
          ))}
        </select>
      </label>
      <button type="submit">Show</button>
      {props.children}
    </form>
  );
}
