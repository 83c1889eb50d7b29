/** The page's stylesheet, served at `/ui/app.css`. */
export const STYLE = `
:root {
  --fg: #1d2329; --muted: #66707a; --line: #dde2e7; --bg: #f6f7f9; --panel: #fff;
  --accent: #2456c7; --error: #c62828; --wait: #9aa4ae; --cp: #111;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg);
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
h1 { font-size: 20px; margin: 0 0 6px; font-weight: 600; }
h2 { font-size: 16px; margin: 18px 0 8px; }
h4 { margin: 10px 0 4px; font-size: 13px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
button, input, select { font: inherit; }
button { border: 1px solid #b9c1c9; background: #fff; border-radius: 4px; padding: 4px 10px; cursor: pointer; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; font-weight: 600; }
input, select { border: 1px solid #b9c1c9; border-radius: 4px; padding: 4px 6px; background: #fff; min-width: 0; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.muted { color: var(--muted); }
.num { font-variant-numeric: tabular-nums; text-align: right; white-space: nowrap; }
.error-text, .status-error { color: var(--error); font-weight: 600; }
.badge { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 12px; background: #e9edf1; }
.badge.error, .badge.firing { background: #fde5e5; color: var(--error); font-weight: 600; }
.badge.logs { margin-left: 4px; }
.badge.logs.warn { background: #fff1d6; color: #b26a00; font-weight: 600; }
.svc { display: inline-flex; align-items: center; gap: 4px; white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; flex: none; }
.top { display: flex; align-items: center; gap: 20px; padding: 8px 20px; background: #1d2733; color: #fff; }
.top a { color: #d7e1ec; }
.top .brand { font-weight: 700; color: #fff; font-size: 16px; }
.top nav { display: flex; gap: 4px; }
.top nav a { padding: 4px 10px; border-radius: 4px; }
.top nav a.current { background: #3a4a5d; color: #fff; }
.top .goto { margin-left: auto; display: flex; gap: 6px; }
.top .goto input { width: 290px; }
main { max-width: 1200px; margin: 0 auto; padding: 16px 20px 40px; }
main.wide { max-width: none; }
.notice { padding: 8px 12px; border-radius: 4px; background: #eef3fb; border: 1px solid #c9d7ef; }
.notice.error { background: #fdecec; border-color: #f2b8b8; color: #8e1c1c; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; }
table.grid { border-collapse: collapse; width: 100%; background: var(--panel); }
table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: 5px 10px; text-align: left; vertical-align: top; }
table.grid th { background: #eef1f4; font-weight: 600; font-size: 13px; }
table.grid td.num, table.grid th.num { text-align: right; }
table.grid tr.service-row td { background: #f3f6fa; font-weight: 600; }
table.grid tr.firing td { background: #fff1f1; }
table.grid td.msg { white-space: pre-wrap; word-break: break-word; }
.search { display: grid; grid-template-columns: 280px 1fr; gap: 20px; align-items: start; }
.search-form { display: flex; flex-direction: column; gap: 10px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 14px; position: sticky; top: 10px; }
.search-form label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; font-weight: 600; color: #39434d; min-width: 0; }
.search-form input, .search-form select { width: 100%; }
.search-form .pair { display: grid; grid-template-columns: 1fr 1fr; gap: 8px; }
.search-form .pair[hidden] { display: none; }
.scatter { width: 100%; height: auto; display: block; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
.scatter .gridline { stroke: #e6e9ed; }
.scatter .axis { fill: var(--muted); font-size: 11px; }
.scatter .dot { fill: #4f7fd6; fill-opacity: .75; stroke: #1f4fa6; }
.scatter .dot.error { fill: #e25555; stroke: #a31b1b; }
.scatter a:hover .dot { fill-opacity: 1; stroke-width: 2; }
.result-bar { display: flex; align-items: center; justify-content: space-between; }
ol.traces { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
li.result { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; cursor: pointer; }
li.result:hover, li.result:focus-visible { border-color: var(--accent); }
.result-title { display: flex; align-items: center; gap: 10px; font-size: 15px; }
.result-title .when { margin-left: auto; color: var(--muted); font-size: 12.5px; }
.result-bar-row { display: flex; align-items: center; gap: 10px; margin: 4px 0; }
.dbar { flex: 1; height: 8px; background: #eef1f4; border-radius: 4px; overflow: hidden; }
.dbar div { height: 100%; background: #8fb0e8; }
.result-meta { display: flex; flex-wrap: wrap; gap: 12px; font-size: 12.5px; align-items: center; }
.trace-head .stats { display: flex; flex-wrap: wrap; gap: 16px; color: var(--muted); margin: 2px 0; }
.trace-head .services { display: flex; flex-wrap: wrap; gap: 12px; margin: 4px 0 8px; }
.op { font-weight: 500; overflow-wrap: anywhere; }
.toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; margin: 6px 0 10px; }
.toolbar .hint { color: var(--muted); font-size: 12.5px; }
.toolbar form.inline { display: flex; gap: 6px; margin-left: auto; }
.legend { display: inline-flex; align-items: center; gap: 4px; font-size: 12.5px; color: var(--muted); }
.cp-key { display: inline-block; width: 16px; height: 3px; background: var(--cp); margin-left: 6px; }
.wait-key { display: inline-block; width: 16px; height: 9px; margin-left: 10px; background: repeating-linear-gradient(45deg, var(--wait) 0 3px, #fff 3px 6px); border: 1px solid var(--wait); }
.waterfall { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
.wf-head, .row { display: grid; grid-template-columns: minmax(260px, 36%) 1fr; }
.wf-head { border-bottom: 1px solid var(--line); background: #eef1f4; font-size: 12px; color: var(--muted); position: sticky; top: 0; z-index: 2; }
.wf-head .name { padding: 4px 8px; }
.wf-head .lane { height: 24px; }
.tick { position: absolute; top: 4px; transform: translateX(2px); border-left: 1px solid #c5ccd3; padding-left: 3px; }
.tick.last { transform: translateX(-100%); border-left: 0; border-right: 1px solid #c5ccd3; padding: 0 3px 0 0; }
.row { border-bottom: 1px solid #f0f2f4; cursor: pointer; min-height: 26px; }
.row:hover { background: #f5f8fd; }
.row:focus { outline: none; background: #e8f0fe; box-shadow: inset 3px 0 0 var(--accent); }
.row .name { display: flex; align-items: center; gap: 6px; padding: 3px 8px 3px 4px; min-width: 0; border-right: 1px solid var(--line); }
.row .name .op { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.row.error .op { color: var(--error); }
.row.only { background: #fff8e1; }
.toggle { width: 18px; flex: none; padding: 0; border: 0; background: none; font-size: 12px; color: var(--muted); text-align: center; }
.lane { position: relative; margin: 0 70px 0 8px; }
.lane .bar { position: absolute; top: 6px; height: 13px; border-radius: 2px; min-width: 2px; }
.row.wait .bar { background: repeating-linear-gradient(45deg, var(--wait) 0 3px, #fff 3px 6px); border: 1px solid var(--wait); }
.row.wait .name { color: var(--muted); font-style: italic; }
.wait-name { display: inline-flex; gap: 6px; align-items: baseline; }
.row.wait .dest code { font-style: normal; }
.lane .cp { position: absolute; top: 21px; height: 3px; background: var(--cp); }
.lane .dur { position: absolute; top: 4px; font-size: 11.5px; color: #48525c; white-space: nowrap; font-variant-numeric: tabular-nums; }
.item[hidden] { display: none; }
.details { padding: 8px 14px 12px 30px; background: #fafbfc; border-bottom: 1px solid var(--line); display: grid; grid-template-columns: 1fr 1fr; gap: 4px 28px; }
.details[hidden] { display: none; }
.details > div { min-width: 0; }
.details .facts { display: grid; grid-template-columns: auto 1fr; gap: 2px 12px; margin: 6px 0; }
.details .facts dt { color: var(--muted); }
.details .facts dd { margin: 0; }
.relatives p { margin: 4px 0; }
.relatives .link { margin-right: 10px; }
table.kv { border-collapse: collapse; width: 100%; font-size: 12.5px; }
table.kv th, table.kv td { text-align: left; padding: 2px 8px; border-bottom: 1px solid #eceff2; vertical-align: top; }
table.kv th { font-weight: 500; color: #4a545e; width: 1%; white-space: nowrap; font-family: ui-monospace, Menlo, Consolas, monospace; }
table.kv td { font-family: ui-monospace, Menlo, Consolas, monospace; white-space: pre-wrap; word-break: break-word; }
ul.events { margin: 0; padding-left: 16px; }
.sev { font-size: 11.5px; font-weight: 700; text-transform: uppercase; }
.sev-error, .sev-fatal { color: var(--error); }
.sev-warn { color: #b26a00; }
.logs h2 .hint { font-size: 12.5px; font-weight: 400; margin-left: 6px; }
.log-filters { flex-wrap: wrap; gap: 10px; margin-bottom: 12px; }
.log-list .msg { white-space: pre-wrap; word-break: break-word; }
.span-logs .field, .log-list .field { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.compare { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; align-items: start; }
.compare .waterfall .wf-head, .compare .row { grid-template-columns: minmax(180px, 45%) 1fr; }
.compare .tick:nth-child(2n) { display: none; }
.compare-form { display: flex; gap: 8px; align-items: center; margin-bottom: 12px; }
.compare-form input { width: 300px; }
.graph { width: 100%; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
.graph .edge { stroke: #7d8791; stroke-width: 1.5; fill: none; }
.graph .edge.broker { stroke-dasharray: 5 4; }
.graph .node rect { fill: #fff; stroke-width: 2; }
.graph .node.queue rect { fill: #f1f3f5; stroke: #7d8791; stroke-dasharray: 4 3; }
.graph .node text { font-size: 13px; fill: var(--fg); }
.graph .count { font-size: 12px; fill: #3b4550; font-weight: 600; }
.graph .count-bg { fill: var(--bg); }
.alerts { margin: 0 0 16px; }
`;
