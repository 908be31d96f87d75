// The dashboard's stylesheet, served as /ui/assets/app.css (a file of its own so the
// pages' Content-Security-Policy can forbid inline styles). Pure data.

export const APP_CSS = `
:root { --fg: #1d2330; --muted: #667085; --line: #e3e6ec; --bg: #fff; --panel: #f7f8fa;
  --red: #b42318; --red-bg: #fde8e7; --green: #067647; --green-bg: #dcfae6; --blue: #175cd3;
  --blue-bg: #d1e9ff; --amber: #93370d; --amber-bg: #fef0c7; --grey-bg: #eaecf0; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6e8ec; --muted: #98a2b3; --line: #2e3440; --bg: #14171c; --panel: #1b1f26;
    --red: #fda29b; --red-bg: #55160c; --green: #75e0a7; --green-bg: #053321; --blue: #84caff;
    --blue-bg: #102a56; --amber: #fec84b; --amber-bg: #4e1d09; --grey-bg: #2e3440; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--blue); }
header.top { display: flex; gap: 1.5rem; align-items: center; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--panel); }
header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); font-size: 1.1rem; }
header.top nav { display: flex; gap: 1rem; flex: 1; }
header.top nav a { text-decoration: none; }
header.top nav a[aria-current="page"] { font-weight: 700; text-decoration: underline; }
header.top .meta { color: var(--muted); font-size: .85rem; }
main { padding: 1rem 1.2rem 3rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: .4rem 0 1rem; }
h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
h3 { font-size: .95rem; margin: 1rem 0 .4rem; }
table { border-collapse: collapse; width: 100%; margin-bottom: .5rem; }
th, td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-bottom: 1px solid var(--line); }
thead th { font-size: .8rem; color: var(--muted); font-weight: 600; }
table.inputs th { width: 14rem; }
pre { margin: .3rem 0; padding: .5rem; background: var(--panel); border: 1px solid var(--line); border-radius: 4px;
  white-space: pre-wrap; word-break: break-word; max-height: 28rem; overflow: auto; font-size: .8rem; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
.muted { color: var(--muted); }
.empty { color: var(--muted); padding: 1rem 0; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; font-weight: 600;
  background: var(--grey-bg); }
.badge.succeeded { background: var(--green-bg); color: var(--green); }
.badge.failed { background: var(--red-bg); color: var(--red); }
.badge.running { background: var(--blue-bg); color: var(--blue); }
.badge.waiting { background: var(--amber-bg); color: var(--amber); }
.error-text { color: var(--red); }
pre.error-text { background: var(--red-bg); border-color: transparent; }
.error-line { color: var(--red); font-size: .8rem; margin-top: .2rem; max-width: 40rem; }
tr[data-status="failed"] td:first-child { border-left: 3px solid var(--red); }
.ongoing { color: var(--blue); }
form.filters { display: flex; gap: 1rem; align-items: end; margin-bottom: 1rem; flex-wrap: wrap; }
.live-state { color: var(--muted); font-size: .8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: .5rem 0 1rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.notice { background: var(--amber-bg); color: var(--amber); padding: .4rem .6rem; border-radius: 4px; }
button { font: inherit; padding: .35rem .9rem; border-radius: 4px; border: 1px solid var(--line); background: var(--panel); color: var(--fg); cursor: pointer; }
button[type="submit"] { background: var(--blue); color: #fff; border-color: var(--blue); }
button.danger { background: var(--red); color: #fff; border-color: var(--red); }
button:disabled { opacity: .6; cursor: default; }
.action-result { margin-left: .6rem; }
section.workflow { border: 1px solid var(--line); border-radius: 6px; padding: .4rem 1rem 1rem; margin-bottom: 1.2rem; }
section.diagnostics { border: 1px solid var(--red); border-radius: 6px; padding: .2rem 1rem; margin-bottom: 1rem; }
.run-form .field { margin: .5rem 0; }
.run-form label { display: block; font-weight: 600; }
.run-form label .muted { font-weight: 400; margin-left: .4rem; font-size: .8rem; }
.run-form input[type="text"], .run-form input[type="number"], .run-form select, .run-form textarea {
  font: inherit; padding: .3rem .4rem; min-width: 20rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); }
.run-form .help { color: var(--muted); font-size: .8rem; }
.field-error, .form-error { color: var(--red); font-size: .85rem; }
.required { color: var(--red); margin-left: .15rem; }
section.job-report { margin-top: .4rem; padding: .3rem .6rem; border-left: 3px solid var(--blue); background: var(--panel); }
section.job-report h3 { margin: .2rem 0; }
details summary { cursor: pointer; color: var(--muted); }
td.step-detail { max-width: 50rem; }
`;
