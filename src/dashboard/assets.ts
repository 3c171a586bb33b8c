/**
 * The dashboard's one stylesheet and one script, served by the Worker under a content-hashed URL (immutable,
 * cached a year) so the pages' CSP can forbid every inline style and script. No build step: both are small.
 */
export const STYLES = `
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#fff;--soft:#f6f8fa;--accent:#0550ae;--ok:#116329;
--warn:#7d4e00;--bad:#a40e26;--radius:6px;font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg)}
*{box-sizing:border-box}body{margin:0;background:var(--bg)}a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:2}
header.top{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:center;padding:10px 16px;border-bottom:1px solid var(--line);background:var(--soft)}
header.top .brand{font-weight:700;text-decoration:none;color:var(--fg)}header.top nav{display:flex;flex-wrap:wrap;gap:4px 14px;flex:1}
header.top form{margin:0}
nav.tabs{display:flex;flex-wrap:wrap;gap:2px;border-bottom:1px solid var(--line);padding:0 16px;overflow-x:auto}
nav.tabs a{padding:8px 12px;text-decoration:none;color:var(--muted);border-bottom:2px solid transparent;white-space:nowrap}
nav.tabs a[aria-current=page]{color:var(--fg);border-color:#fd8c73;font-weight:600}
main{max-width:1100px;margin:0 auto;padding:16px}h1{font-size:1.5rem;margin:.2em 0 .6em}h2{font-size:1.15rem;margin:1.4em 0 .5em}
.crumbs{color:var(--muted);font-size:.9rem}.muted{color:var(--muted)}.small{font-size:.85rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px}
.card{border:1px solid var(--line);border-radius:var(--radius);padding:12px}.card .n{font-size:1.6rem;font-weight:700}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;color:var(--muted);font-weight:600}.scroll{overflow-x:auto}
.list{list-style:none;padding:0;margin:0}.list>li{border-bottom:1px solid var(--line);padding:10px 0}
.badge{display:inline-block;border-radius:99px;padding:0 8px;font-size:.8rem;border:1px solid var(--line);background:var(--soft)}
.badge.ok{color:var(--ok);border-color:#4ac26b}.badge.open{color:var(--bad);border-color:#ff8182}.badge.warn{color:var(--warn);border-color:#d4a72c}
pre{background:var(--soft);border:1px solid var(--line);border-radius:var(--radius);padding:10px;overflow:auto;max-height:420px;font-size:.85rem;white-space:pre-wrap;word-break:break-word}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
form.inline{display:inline}label{display:block;font-weight:600;margin:.6em 0 .2em}
input[type=text],input[type=search],input[type=number],input[type=password],select,textarea{width:100%;max-width:640px;padding:7px 9px;border:1px solid #8c959f;border-radius:var(--radius);font:inherit}
textarea{min-height:110px}.row{display:flex;flex-wrap:wrap;gap:8px;align-items:end}.row>*{flex:1 1 200px}
button,.button{display:inline-block;padding:6px 14px;border-radius:var(--radius);border:1px solid #8c959f;background:var(--soft);color:var(--fg);font:inherit;cursor:pointer;text-decoration:none}
button.primary{background:#1f883d;border-color:#1a7f37;color:#fff}button.danger{color:var(--bad);border-color:#cf222e}
.notice{border:1px solid #4ac26b;background:#dafbe1;padding:8px 12px;border-radius:var(--radius)}
.problem{border:1px solid #ff8182;background:#ffebe9;padding:8px 12px;border-radius:var(--radius)}
.secret{font-family:ui-monospace,monospace;background:#fff8c5;border:1px solid #d4a72c;padding:8px;border-radius:var(--radius);word-break:break-all}
.why{color:var(--muted);font-size:.85rem}.chart{max-width:100%;height:auto}.chart text{font-size:11px;fill:var(--muted)}
.gauge{width:100%;max-width:480px;height:18px}
.pager{margin-top:12px}
@media (max-width:600px){header.top nav{order:3;flex-basis:100%}main{padding:10px}th.wide,td.wide{display:none}.cards{grid-template-columns:repeat(2,1fr)}}
`;

/** Asks before a destructive form is sent (forms marked data-confirm); the server checks everything anyway. */
export const SCRIPT = `
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) event.preventDefault();
});
`;

async function contentHash(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest).slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The assets' URLs, named by content so a new release is fetched at once and an old one cached for good. They
 * are a pure function of the two constants above, so they are hashed once per isolate, not per page.
 */
let paths: Promise<{ css: string; js: string }> | null = null;
export function assetPaths(): Promise<{ css: string; js: string }> {
  paths ??= Promise.all([contentHash(STYLES), contentHash(SCRIPT)]).then(([css, js]) => ({
    css: `/dashboard/assets/${css}.css`,
    js: `/dashboard/assets/${js}.js`,
  }));
  return paths;
}
