// wrangler (and the vitest pool) import Markdown prompt files as strings (wrangler.toml [[rules]] type "Text").
declare module "*.md" {
  const text: string;
  export default text;
}
