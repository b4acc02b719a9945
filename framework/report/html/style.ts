// The HTML report's stylesheet (inlined). Colours are from the Okabe–Ito palette, which stays
// distinguishable with every common colour-vision deficiency, and every state also has a
// symbol (. X R D ? E as in the console matrix), so colour is never the only signal.
export const CSS = `
:root {
  --fg: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #f6f7f9; --card: #ffffff;
  --allow-bg: #d3ebf9; --allow-fg: #0b4a73;
  --deny-bg: #e9eaee; --deny-fg: #4a5060;
  --undef-bg: #f7efb5; --undef-fg: #5f5300;
  --fail-bg: #d55e00; --fail-fg: #ffffff; --fail-soft: #fbe3d3;
  --ok: #007a5a; --ok-soft: #d5f0e7; --warn: #a86f00; --skip-bg: #eef0f3;
  --accent: #0072b2;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; color: var(--fg); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
a { color: var(--accent); }
header.top { background: #1d2330; color: #fff; padding: 18px 28px 22px; }
header.top h1 { margin: 0 0 4px; font-size: 22px; font-weight: 650; letter-spacing: .2px; }
header.top .meta { color: #c3c9d6; font-size: 13px; }
header.top .meta span + span::before { content: " · "; color: #7d869a; }
.verdict { margin-top: 14px; display: inline-flex; align-items: center; gap: 10px; padding: 8px 14px; border-radius: 8px; font-weight: 600; font-size: 15px; }
.verdict.pass { background: var(--ok-soft); color: #00503b; }
.verdict.fail { background: var(--fail-bg); color: #fff; }
.verdict .sym { font-size: 18px; }
main { padding: 0 28px 60px; max-width: 100%; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 12px; margin: 20px 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .6px; }
.card .value { font-size: 26px; font-weight: 650; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .sub { color: var(--muted); font-size: 12px; margin-top: 2px; }
.card.failed .value { color: var(--fail-bg); }
.card.failed.nonzero { border: 2px solid var(--fail-bg); background: var(--fail-soft); }
.card.passed .value { color: var(--ok); }
.card.skipped .value { color: var(--warn); }
.card.zero .value { color: var(--muted); }
.card.small .value { font-size: 17px; padding-top: 7px; }
.toolbar { position: sticky; top: 0; z-index: 30; background: rgba(246,247,249,.96); backdrop-filter: blur(4px); border-bottom: 1px solid var(--line); padding: 10px 0; display: flex; flex-wrap: wrap; gap: 14px; align-items: center; }
.toolbar label { display: inline-flex; align-items: center; gap: 6px; font-size: 13px; }
.toolbar select, .toolbar input[type=search] { font: inherit; padding: 4px 6px; border: 1px solid #b9c0cc; border-radius: 6px; background: #fff; }
.toolbar .showing { margin-left: auto; color: var(--muted); font-size: 13px; }
h2.section { font-size: 16px; margin: 26px 0 10px; }
table.list { border-collapse: collapse; width: 100%; background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
table.list th, table.list td { text-align: left; padding: 6px 10px; border-bottom: 1px solid #eceef2; font-size: 13px; vertical-align: top; }
table.list th { background: #f0f2f5; font-weight: 600; color: #3a4253; }
table.list td.num, table.list th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.list tr:last-child td { border-bottom: 0; }
table.list tr.failed td:first-child { box-shadow: inset 4px 0 0 var(--fail-bg); }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 650; white-space: nowrap; }
.badge.passed { background: var(--ok-soft); color: #00503b; }
.badge.failed { background: var(--fail-bg); color: #fff; }
.badge.error { background: #000; color: #fff; }
.badge.change { background: #fff; border: 1px solid #333; color: #333; }
.chip { display: inline-block; padding: 0 7px; margin: 0 4px 2px 0; border-radius: 9px; background: #e6ebf3; color: #34405a; font-size: 12px; }
.failtext { color: #b34700; font-weight: 650; }
.skiptext { color: var(--warn); }
section.scenario { background: var(--card); border: 1px solid var(--line); border-radius: 12px; margin: 18px 0; padding: 16px 18px; }
section.scenario.failed, section.scenario.error { border: 2px solid var(--fail-bg); }
section.scenario > .head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
section.scenario h3 { margin: 0; font-size: 18px; word-break: break-all; }
section.scenario .file { color: var(--muted); font-size: 12px; }
section.scenario .desc { margin: 6px 0; color: #333c4e; white-space: pre-wrap; word-break: break-word; }
section.scenario .stats { color: var(--muted); font-size: 13px; margin: 4px 0 8px; }
.errorbox { background: #111; color: #fff; padding: 10px 12px; border-radius: 8px; white-space: pre-wrap; font-family: ui-monospace, monospace; font-size: 12px; }
.tabs { display: flex; flex-wrap: wrap; gap: 6px; margin: 10px 0 8px; }
.tabs button { font: inherit; font-size: 12px; border: 1px solid #b9c0cc; background: #fff; border-radius: 6px; padding: 4px 9px; cursor: pointer; }
.tabs button[aria-selected=true] { background: #1d2330; color: #fff; border-color: #1d2330; }
.tabs button .n { margin-left: 6px; padding: 0 6px; border-radius: 8px; background: var(--fail-bg); color: #fff; font-weight: 700; }
.tabs button .n.chg { background: #333; }
.matrix-area { display: flex; gap: 16px; align-items: flex-start; }
.matrix-wrap { overflow: auto; max-height: 72vh; max-width: 100%; border: 1px solid var(--line); border-radius: 8px; flex: 0 1 auto; background: #fff; }
table.matrix { border-collapse: separate; border-spacing: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11px; }
table.matrix th { background: #f3f4f7; font-weight: 500; color: #333c4e; }
table.matrix thead th { position: sticky; top: 0; z-index: 2; vertical-align: bottom; padding: 4px 0; border-bottom: 1px solid #c9ced8; }
table.matrix thead th .col { writing-mode: vertical-rl; transform: rotate(180deg); max-height: 170px; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; display: inline-block; }
table.matrix tbody th { position: sticky; left: 0; z-index: 1; text-align: right; padding: 0 8px; white-space: nowrap; max-width: 240px; overflow: hidden; text-overflow: ellipsis; border-right: 1px solid #c9ced8; }
table.matrix thead th.corner { left: 0; z-index: 3; text-align: left; padding: 6px 8px; color: var(--muted); font-size: 11px; border-right: 1px solid #c9ced8; }
table.matrix th.hl { background: #ffe9a8; }
table.matrix td { width: 24px; min-width: 24px; height: 22px; text-align: center; cursor: pointer; border-right: 1px solid #fff; border-bottom: 1px solid #fff; padding: 0; white-space: nowrap; }
table.matrix td.e { background: #fafafa; cursor: default; }
td.allow { background: var(--allow-bg); color: var(--allow-fg); }
td.deny { background: var(--deny-bg); color: var(--deny-fg); }
td.undef { background: var(--undef-bg); color: var(--undef-fg); }
td.skip { background: repeating-linear-gradient(45deg, #eef0f3 0 3px, #dfe3e8 3px 6px); color: #6b7280; }
td.fail { background: var(--fail-bg); color: var(--fail-fg); font-weight: 800; font-size: 10.5px; outline: 2px solid #7a2e00; outline-offset: -2px; }
td.chg { position: relative; }
td.chg::after { content: ""; position: absolute; right: 0; top: 0; border-style: solid; border-width: 0 7px 7px 0; border-color: transparent #000 transparent transparent; }
td.fixed { outline: 2px solid var(--ok); outline-offset: -2px; }
td.sel { box-shadow: inset 0 0 0 2px #000, inset 0 0 0 4px #fff; }
td:focus-visible { outline: 3px solid #000; }
table.http { border-collapse: separate; border-spacing: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
table.http thead th { position: sticky; top: 0; z-index: 2; background: #f3f4f7; color: #333c4e; text-align: left; padding: 6px 10px; border-bottom: 1px solid #c9ced8; font-weight: 600; white-space: nowrap; }
table.http thead th.corner { left: 0; z-index: 3; color: var(--muted); font-weight: 500; border-right: 1px solid #c9ced8; }
table.http tbody th.request { position: sticky; left: 0; z-index: 1; background: #f3f4f7; text-align: left; padding: 4px 10px; border-right: 1px solid #c9ced8; border-bottom: 1px solid #fff; font-weight: 500; max-width: 420px; word-break: break-all; }
th.request .method { font-weight: 700; margin-right: 6px; }
th.request .path { color: #0b4a73; }
th.request .headers { display: block; color: var(--muted); font-size: 11px; }
table.http td { padding: 4px 10px; min-width: 120px; cursor: pointer; border-right: 1px solid #fff; border-bottom: 1px solid #fff; vertical-align: top; }
table.http td.e { background: #fafafa; cursor: default; }
table.http td .st { font-weight: 700; margin-right: 6px; }
table.http td .be { font-size: 11px; word-break: break-all; }
table.http td.fail { font-size: 11px; font-weight: 600; }
table.http td.fail .want, table.http td.fail .got { display: inline-block; vertical-align: top; max-width: 220px; word-break: break-all; }
table.http td.fail .want { padding-right: 8px; margin-right: 8px; border-right: 1px solid rgba(255,255,255,.6); }
table.http td .k { display: block; font-size: 9.5px; font-weight: 500; text-transform: uppercase; letter-spacing: .5px; opacity: .85; }
.details table.compare { width: 100%; table-layout: fixed; border-collapse: collapse; margin: 0 0 8px; font-size: 12px; }
.details table.compare thead th:first-child { width: 80px; }
.details table.compare th, .details table.compare td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid #eceef2; word-break: break-word; }
.details table.compare thead th { color: var(--muted); font-weight: 600; }
.details table.compare tbody th { color: var(--muted); font-weight: 500; }
.legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 12px; color: var(--muted); margin: 8px 0; align-items: center; }
.legend .sw { display: inline-flex; align-items: center; justify-content: center; width: 24px; height: 18px; border-radius: 3px; font-family: ui-monospace, monospace; font-size: 11px; margin-right: 4px; }
.sw.allow-sw { background: var(--allow-bg); color: var(--allow-fg); }
.sw.deny-sw { background: var(--deny-bg); color: var(--deny-fg); }
.sw.undef-sw { background: var(--undef-bg); color: var(--undef-fg); }
.sw.fail-sw { background: var(--fail-bg); color: #fff; font-weight: 800; }
.sw.skip-sw { background: repeating-linear-gradient(45deg, #eef0f3 0 3px, #dfe3e8 3px 6px); color: #6b7280; }
.sw.chg-sw { background: #fff; border: 1px solid #999; }
.details { flex: 0 0 340px; position: sticky; top: 64px; background: #fbfbfd; border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; font-size: 13px; min-height: 120px; }
.details h4 { margin: 0 0 6px; font-size: 13px; word-break: break-all; }
.details dl { margin: 0; display: grid; grid-template-columns: 88px 1fr; gap: 3px 8px; }
.details dt { color: var(--muted); }
.details dd { margin: 0; word-break: break-word; }
.details .hint { color: var(--muted); }
.details .verdict-line { padding: 4px 8px; border-radius: 6px; margin-bottom: 8px; font-weight: 650; }
.details .verdict-line.fail { background: var(--fail-bg); color: #fff; }
.details .verdict-line.pass { background: var(--ok-soft); color: #00503b; }
.details .verdict-line.skip { background: var(--skip-bg); color: #444; }
details.more { margin-top: 10px; border-top: 1px solid #eceef2; padding-top: 8px; }
details.more > summary { cursor: pointer; font-weight: 600; color: #333c4e; }
details.more pre { background: #f5f6f8; border: 1px solid #e3e6eb; border-radius: 6px; padding: 8px 10px; overflow: auto; font-size: 12px; max-height: 420px; }
.topo { display: grid; grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); gap: 12px; margin-top: 8px; }
.topo > div { min-width: 0; overflow-x: auto; }
.topo > div.wide { grid-column: 1 / -1; }
.topo h5 { margin: 4px 0; font-size: 13px; }
#tip { position: fixed; z-index: 100; pointer-events: none; background: #1d2330; color: #fff; border-radius: 6px; padding: 6px 9px; font-size: 12px; max-width: 420px; line-height: 1.35; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: none; white-space: pre-line; }
.empty { color: var(--muted); padding: 10px; }
.changes-list td { font-size: 12px; }
noscript { display: block; padding: 20px 28px; }
@media print { .toolbar { position: static; } .matrix-wrap { max-height: none; overflow: visible; } }
`;
