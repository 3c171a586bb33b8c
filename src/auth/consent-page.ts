/**
 * The HTML of the sign-in and consent page (`/authorize`). Everything that came from the client (its name, the
 * redirect) is escaped: dynamic registration lets anyone choose those strings.
 */
import type { Scope } from "../domain/core/access";
import { isLoopbackHostname } from "../http/hosts";
import type { IdentityProvider } from "./identity-providers";

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

const SCOPE_TEXT: Record<Scope, string> = {
  "memory:read": "read the memory of your projects (errors, solutions, decisions, code graph)",
  "memory:write": "record errors, decisions, file changes and sessions",
  admin: "administer: project settings, teams, invitations and API tokens",
};

/**
 * Access is offered as levels, one radio button each, because the scopes nest (admin ⊃ memory:write ⊃
 * memory:read): the user cannot untick everything by accident, and reading what a level grants is one line.
 * Read-and-write is what an assistant needs; read-only is offered beside it; administering only when asked.
 */
const LEVELS: Array<{ scopes: Scope[]; title: string }> = [
  { scopes: ["memory:read", "memory:write"], title: "Read and write" },
  { scopes: ["memory:read"], title: "Read only" },
  { scopes: ["memory:read", "memory:write", "admin"], title: "Read, write and administer" },
];

function levelOf(scopes: Scope[]): number {
  if (scopes.includes("admin")) return 2;
  return scopes.includes("memory:write") ? 0 : 1;
}

function levelText(scopes: Scope[]): string {
  const parts = scopes.map((scope) => SCOPE_TEXT[scope]);
  const text = parts.join("; ");
  return scopes.includes("memory:write")
    ? text
    : `${text} — recording errors, decisions, changes and sessions will be refused`;
}

export function renderAuthorizePage(options: {
  handle: string;
  clientName: string | null;
  redirectHost: string | null;
  redirectUri: string | null;
  /** What the client asked for (or the defaults): the level preselected. */
  scopes: Scope[];
  /** What oauth.ts's OAuthDeps says about the page (declared here so the page does not import oauth.ts). */
  deps: { identityProvider: IdentityProvider | null; allowSignup: boolean };
  error: string | null;
}): string {
  const chosen = levelOf(options.scopes);
  const levels = LEVELS.filter((_, index) => index !== 2 || chosen === 2)
    .map(
      (level) =>
        `<label><input type="radio" name="scope" value="${level.scopes.join(" ")}"${
          levelOf(level.scopes) === chosen ? " checked" : ""
        }> <strong>${level.title}</strong>: ${escapeHtml(levelText(level.scopes))}</label>`,
    )
    .join("<br>");
  const loopback = options.redirectUri ? isLoopbackHostname(new URL(options.redirectUri).hostname) : false;
  const who = options.clientName
    ? `<p><strong>${escapeHtml(options.clientName)}</strong>${
        options.redirectHost ? ` (returning to ${escapeHtml(options.redirectHost)})` : ""
      } asks to use Coding Memory as you.</p>`
    : "<p>Sign in to continue.</p>";
  const local = loopback
    ? "<p><strong>This sends access to an app on your computer.</strong> Continue only if you just started " +
      "connecting it (for example with <code>claude mcp add</code>).</p>"
    : "";
  const idp = options.deps.identityProvider;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Coding Memory — sign in</title>
<style>body{font:16px system-ui;max-width:36rem;margin:3rem auto;padding:0 1rem}input[type=text],input[type=password]{width:100%;padding:.4rem;margin:.2rem 0 .8rem}button{padding:.5rem 1rem;margin-right:.5rem}.error{color:#b00}fieldset{margin:0 0 1rem;line-height:1.5}</style>
</head><body><h1>Coding Memory</h1>${options.error ? `<p class="error">${escapeHtml(options.error)}</p>` : ""}
${who}${local}
<form method="post" action="/authorize">
<input type="hidden" name="handle" value="${escapeHtml(options.handle)}">
${options.redirectUri ? `<input type="hidden" name="redirect_uri" value="${escapeHtml(options.redirectUri)}">` : ""}
<fieldset><legend>It will be able to</legend>${levels}</fieldset>
${
  idp
    ? `<p><button type="submit" name="action" value="upstream">Sign in with ${escapeHtml(idp.label)}</button></p><p>or with an account on this server:</p>`
    : ""
}
<label>User <input type="text" name="user" autocomplete="username"></label>
<label>Password <input type="password" name="password" autocomplete="current-password"></label>
<button type="submit" name="action" value="login">Allow</button>
${options.deps.allowSignup ? '<button type="submit" name="action" value="signup">Create account and allow</button>' : ""}
${options.deps.identityProvider ? `<button type="submit" name="action" value="link">Link ${escapeHtml(options.deps.identityProvider.label)} to this account and allow</button>` : ""}
<button type="submit" name="action" value="deny">Deny</button>
</form></body></html>`;
}

export function errorPage(message: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Coding Memory — sign-in failed</title></head><body><h1>Sign-in failed</h1><p>${escapeHtml(message)}</p></body></html>`;
}
