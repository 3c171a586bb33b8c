import type { Context } from "hono";
import { html } from "hono/html";
import { httpStatusOf, toAppError } from "../domain/core/app-error";
import { assetPaths } from "./assets";
import { barePage, type Html } from "./html";

/**
 * The headers of every dashboard page: scripts and styles only from this origin (no inline code at all), images
 * from this origin (screenshots go through the dashboard), forms only to this origin, never framed, no Referer
 * to anyone else, nothing cached (pages show memory a session may stop being allowed to see).
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export async function sendPage(c: Context, body: Html, status = 200): Promise<Response> {
  const response = await c.html(body, status as 200);
  response.headers.set("Content-Security-Policy", PAGE_CSP);
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Referrer-Policy", "same-origin");
  response.headers.set("X-Content-Type-Options", "nosniff");
  return response;
}

/** A failure as a page: the API's status and message (already worded for a person), never a stack trace. */
export async function failurePage(c: Context, thrown: unknown): Promise<Response> {
  const error = toAppError(thrown);
  if (error.code === "internal") console.error("dashboard request failed", error.cause ?? error);
  const status = httpStatusOf[error.code];
  const title =
    status === 403
      ? "Not allowed"
      : status === 404
        ? "Not found"
        : status === 401
          ? "Signed out"
          : "Something went wrong";
  const message = error.code === "internal" ? "The server failed to answer; try again." : error.message;
  const body = html`<p class="problem" role="alert">${message}</p>
    <p>
      ${status === 401 ? html`<a href="/dashboard/login">Sign in</a>` : html`<a href="/dashboard">Back to your projects</a>`}
    </p>`;
  return sendPage(c, barePage(await assetPaths(), title, body), status);
}
