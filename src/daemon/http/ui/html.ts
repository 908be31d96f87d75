// The dashboard's page shell and the small pieces every page shares (status badges,
// times, durations, collapsed JSON). hono's html helper escapes every interpolated
// value; raw() is used only for markup built here. Pure: imports hono/html only.
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';

export type Html = HtmlEscapedString;

/**
 * hono's `html`, typed as the string it returns when no interpolated value is a
 * Promise: the dashboard never interpolates one (pages load their data first).
 */
export const h = (strings: TemplateStringsArray, ...values: unknown[]): Html =>
  html(strings, ...values) as Html;

export const UI_BASE = '/ui';
/** Served by index.ts; the version in the query defeats stale caches after an upgrade. */
export const assetPath = (name: 'app.js' | 'app.css', version: string) =>
  `${UI_BASE}/assets/${name}?v=${version}`;

export interface PageShell {
  title: string;
  /** Which entry of the navigation is this page. */
  nav: 'runs' | 'workflows';
  /** gcflow's version, shown in the header. */
  version: string;
  /** Content hash of the script and stylesheet, in their URLs. */
  assetVersion: string;
  mode: 'production' | 'dev';
  body: Html;
}

export function page(p: PageShell): Html {
  const link = (key: PageShell['nav'] | 'queues', href: string, text: string) =>
    h`<a href="${href}"${key === p.nav ? raw(' aria-current="page"') : ''}>${text}</a>`;
  return h`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title} · gcflow</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetPath('app.css', p.assetVersion)}">
<script src="${assetPath('app.js', p.assetVersion)}" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="${UI_BASE}">gcflow</a>
  <nav>
    ${link('runs', UI_BASE, 'Runs')}
    ${link('workflows', `${UI_BASE}/workflows`, 'Workflows')}
    ${link('queues', `${UI_BASE}/queues`, 'Queues (Bull Board)')}
  </nav>
  <span class="meta">${p.mode === 'dev' ? h`<span class="badge waiting">dev: simulator</span> ` : ''}v${p.version}</span>
</header>
<main>
${p.body}
</main>
</body>
</html>`;
}

/** A run or step status as a coloured badge; `data-status` is what tests and scripts read. */
export function badge(status: string): Html {
  return h`<span class="badge ${status}" data-status="${status}">${status}</span>`;
}

export function firstLine(text: string | null | undefined): string {
  if (!text) return '';
  const line = text.split('\n', 1)[0]!;
  return line.length > 300 ? `${line.slice(0, 299)}…` : line;
}

/** An ISO time shown in UTC; the page script rewrites it to the viewer's local time. */
export function time(iso: string | null | undefined): Html {
  if (!iso) return h`<span class="muted">—</span>`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h`${iso}`;
  const text = `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  return h`<time datetime="${d.toISOString()}" title="${d.toISOString()}">${text}</time>`;
}

/** `450ms`, `12.3s`, `4m 05s`, `2h 03m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const total = Math.floor(s);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (total < 3600) return `${Math.floor(total / 60)}m ${pad(total % 60)}s`;
  if (total < 86_400) return `${Math.floor(total / 3600)}h ${pad(Math.floor((total % 3600) / 60))}m`;
  return `${Math.floor(total / 86_400)}d ${Math.floor((total % 86_400) / 3600)}h`;
}

/** From start to end, or to `now` (marked as still going) when not over. */
export function duration(start: string | null, end: string | null, now: number): Html {
  if (!start) return h`<span class="muted">—</span>`;
  const from = Date.parse(start);
  if (end) return h`${formatDuration(Date.parse(end) - from)}`;
  return h`<span class="ongoing">${formatDuration(now - from)}…</span>`;
}

const MAX_JSON_CHARS = 20_000;

/** Pretty JSON in a collapsed <details>; `key` keeps it open across live refreshes. */
export function collapsedJson(label: string, value: unknown, key: string): Html {
  const size = value && typeof value === 'object' ? Object.keys(value).length : 0;
  if (size === 0) return h`<span class="muted">none</span>`;
  let text = JSON.stringify(value, null, 2);
  if (text.length > MAX_JSON_CHARS)
    text = `${text.slice(0, MAX_JSON_CHARS)}\n… (${text.length - MAX_JSON_CHARS} more characters: gcflow status --json shows all)`;
  return h`<details data-key="${key}"><summary>${label} (${size})</summary><pre>${text}</pre></details>`;
}

/** A value of an input or a trigger's inputs, as text. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function errorPage(
  p: Omit<PageShell, 'body' | 'nav'> & { message: string; hint: string | null },
): Html {
  return page({
    ...p,
    nav: 'runs',
    body: h`<h1>${p.title}</h1><p class="error-text">${p.message}</p>${p.hint ? h`<p class="muted">${p.hint}</p>` : ''}`,
  });
}
