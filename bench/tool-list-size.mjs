// Bench: how much of an assistant's context the tool list takes before the user says anything. Connects with the
// official MCP SDK client to a running server (or starts `wrangler dev` on a private state directory) and prints,
// per tool and in total, the bytes of the tools/list entries, the bytes the model's context pays for (name,
// description, input schema, annotations; the title is a display name and output schemas are for the client to
// validate with, so both are left out) and an approximate token count (o200k BPE, gpt-tokenizer).
// Target: ≤ 12 KiB for what the model's context pays for.
// Usage: npm run bench:tools [-- --url http://127.0.0.1:8787 --token cm_…] [-- --json]
import { parseArgs } from "node:util";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { encode } from "gpt-tokenizer";
import { startServer } from "./server.mjs";

const TARGET_BYTES = 12 * 1024;

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    token: { type: "string" },
    port: { type: "string", default: process.env.PORT ?? "8788" },
    json: { type: "boolean", default: false },
  },
});

const server = values.url ? null : await startServer({ port: values.port });
const base = values.url ?? server?.base;
const token = values.token ?? server?.token;
if (!base || !token) throw new Error("give --url and --token, or let the bench start its own server");

/**
 * What the model's context pays for: everything but the display title and the output schema.
 * @param {Record<string, unknown>} tool
 */
const paidPart = (tool) =>
  Object.fromEntries(Object.entries(tool).filter(([key]) => key !== "title" && key !== "outputSchema"));
/** @param {unknown} value */
const bytes = (value) => Buffer.byteLength(JSON.stringify(value), "utf8");
/** @param {unknown} value */
const tokens = (value) => encode(JSON.stringify(value)).length;

try {
  const client = new Client({ name: "tool-list-size", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
    }),
  );
  const { tools } = await client.listTools();
  await client.close();

  const rows = tools.map((tool) => {
    const paid = paidPart(tool);
    const { outputSchema } = tool;
    return {
      name: tool.name,
      bytes: bytes(tool),
      context_bytes: bytes(paid),
      context_tokens: tokens(paid),
      output_schema_bytes: outputSchema ? bytes(outputSchema) : 0,
    };
  });
  const paidList = tools.map(paidPart);
  const total = {
    tools: tools.length,
    without_output_schema: tools.filter((tool) => !tool.outputSchema).map((tool) => tool.name),
    bytes: bytes({ tools }),
    context_bytes: bytes({ tools: paidList }),
    context_tokens: tokens({ tools: paidList }),
    target_context_bytes: TARGET_BYTES,
  };
  if (values.json) {
    console.log(JSON.stringify({ total, tools: rows }, null, 2));
  } else {
    /** @param {string | number} value @param {number} width */
    const pad = (value, width) => String(value).padStart(width);
    console.log(`${"tool".padEnd(44)}${pad("bytes", 8)}${pad("context", 9)}${pad("tokens", 8)}${pad("output", 8)}`);
    for (const row of rows.sort((a, b) => b.context_bytes - a.context_bytes)) {
      console.log(
        `${row.name.padEnd(44)}${pad(row.bytes, 8)}${pad(row.context_bytes, 9)}${pad(row.context_tokens, 8)}` +
          `${pad(row.output_schema_bytes, 8)}`,
      );
    }
    console.log(
      `\n${total.tools} tools: tools/list ${total.bytes} bytes; model's context (no titles, no output schemas) ` +
        `${total.context_bytes} bytes ` +
        `(~${total.context_tokens} tokens), target ≤ ${TARGET_BYTES} bytes: ` +
        `${total.context_bytes <= TARGET_BYTES ? "met" : "NOT met"}.`,
    );
    if (total.without_output_schema.length) {
      console.log(`Tools without an outputSchema: ${total.without_output_schema.join(", ")}`);
    }
  }
  if (total.context_bytes > TARGET_BYTES || total.without_output_schema.length) process.exitCode = 1;
} finally {
  await server?.stop();
}
