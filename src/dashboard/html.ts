import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

/** What every page renders into; `html` escapes every interpolated string, so no page builds markup by hand. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface Chrome {
  title: string;
  assets: { css: string; js: string };
  csrf: string;
  user: string;
  /** The project the page is about: its tabs are shown. */
  project?: { team: string; name: string; tab: ProjectTab };
  notice?: string | null;
}

export type ProjectTab = "overview" | "errors" | "decisions" | "sessions" | "graph" | "costs" | "settings";

const TABS: Array<[ProjectTab, string, string]> = [
  ["overview", "Overview", ""],
  ["errors", "Errors", "/errors"],
  ["decisions", "Decisions", "/decisions"],
  ["sessions", "Sessions", "/sessions"],
  ["graph", "Code graph", "/graph"],
  ["costs", "Costs", "/costs"],
  ["settings", "Settings", "/settings"],
];

/** A project's page URL in the dashboard. */
export function projectUrl(project: { team: string; name: string }, tail = ""): string {
  return `/dashboard/t/${encodeURIComponent(project.team)}/${encodeURIComponent(project.name)}${tail}`;
}

export function layout(chrome: Chrome, body: Html): Html {
  const project = chrome.project;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${chrome.title} · Coding Memory</title>
        <link rel="stylesheet" href="${chrome.assets.css}" />
        <script src="${chrome.assets.js}" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/dashboard">Coding Memory</a>
          <nav aria-label="Account">
            <a href="/dashboard">Projects</a>
            <a href="/dashboard/teams">Teams</a>
            <a href="/dashboard/tokens">API tokens</a>
          </nav>
          <span class="muted small">${chrome.user}</span>
          <form method="post" action="/dashboard/logout">
            <input type="hidden" name="csrf" value="${chrome.csrf}" />
            <button type="submit">Sign out</button>
          </form>
        </header>
        ${
          project
            ? html`<nav class="tabs" aria-label="Project">
                ${TABS.map(
                  ([tab, label, tail]) =>
                    html`<a href="${projectUrl(project, tail)}" ${tab === project.tab ? html`aria-current="page"` : ""}
                      >${label}</a
                    >`,
                )}
              </nav>`
            : ""
        }
        <main id="main">
          ${project ? html`<p class="crumbs">${project.team} / <strong>${project.name}</strong></p>` : ""}
          ${chrome.notice ? html`<p class="notice" role="status">${chrome.notice}</p>` : ""} ${body}
        </main>
      </body>
    </html>`;
}

/** A page outside the signed-in chrome (signed out, sign-in failed). */
export function barePage(assets: { css: string }, title: string, body: Html): Html {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Coding Memory</title>
        <link rel="stylesheet" href="${assets.css}" />
      </head>
      <body>
        <main id="main">
          <h1>${title}</h1>
          ${body}
        </main>
      </body>
    </html>`;
}

/** A form that posts with the session's CSRF token. */
export function postForm(
  action: string,
  csrf: string,
  fields: Html,
  options: { className?: string; confirm?: string; label?: string } = {},
): Html {
  return html`<form
    method="post"
    action="${action}"
    class="${options.className ?? ""}"
    ${options.confirm ? html`data-confirm="${options.confirm}"` : ""}
    ${options.label ? html`aria-label="${options.label}"` : ""}
  >
    <input type="hidden" name="csrf" value="${csrf}" />${fields}
  </form>`;
}

export function when(iso: string | null | undefined): Html {
  if (!iso) return html`<span class="muted">—</span>`;
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace("T", " ")}</time>`;
}

export function usd(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value >= 1 ? `$${value.toFixed(2)}` : `$${value.toFixed(4)}`;
}

export interface Column<T> {
  label: string;
  cell: (row: T) => Html | string | number;
  /** Hidden on a phone-width screen: detail the narrow view can do without. */
  wide?: boolean;
}

/** A table of rows (scrolling sideways inside itself when wide), or `empty` when there are none. */
export function dataTable<T>(
  rows: T[],
  columns: Array<Column<T>>,
  options: { caption?: string; empty?: string } = {},
): Html {
  if (!rows.length && options.empty) return html`<p class="muted">${options.empty}</p>`;
  const wide = (column: Column<T>) => (column.wide ? "wide" : null);
  return html`<div class="scroll">
    <table>
      ${
        options.caption
          ? html`<caption class="muted small">
              ${options.caption}
            </caption>`
          : ""
      }
      <thead>
        <tr>
          ${columns.map((column) => html`<th scope="col" class="${wide(column)}">${column.label}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) =>
            html`<tr>
              ${columns.map((column) => html`<td class="${wide(column)}">${column.cell(row)}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
