import type { StandardSchemaWithJSON, ToolAnnotations } from "@modelcontextprotocol/server";
import { z } from "zod";

type Json = Record<string, unknown>;

/**
 * Marks a nullable field whose null means something (a setting back to its server default), so the advertised
 * schema keeps saying `null` is allowed: `field.nullish().meta(NULL_RESETS)`.
 */
export const NULL_RESETS = { nullResets: true } as const;

/** Fields accepted for the original product's clients but not advertised: an assistant never needs to send them. */
const UNADVERTISED = new Set(["user_id"]);

/** Fields every tool has: described once, in the server's instructions (see `sharedFieldsNote`), not 21 times. */
const DESCRIBED_ONCE = new Set(["project_id"]);

/** The line of the server's instructions that describes the fields every tool shares. */
export function sharedFieldsNote(projectIdDescription: string | undefined): string {
  return `Every tool takes project_id: ${projectIdDescription ?? "the project's id"}`;
}

/** Keywords a well-formed call does not need to be told (see `advertisedInputSchema`). */
const DROPPED = new Set(["$schema", "minLength", "maxLength", "maxItems", "pattern", "additionalProperties"]);

/** Integer ranges up to this bound say something to the model (k ≤ 50); larger ones are just guards. */
const TELLING_RANGE = 100_000;

/**
 * The input schema as `tools/list` advertises it. The model reads every tool's schema before the user says
 * anything, so the zod schema's JSON Schema is made compact without changing what a well-formed call looks like:
 * - zod's nullish (`anyOf: [X, {type: "null"}]`) becomes X: omitting the field means the same (NULL_RESETS keeps
 *   `type: [X, "null"]` where null means something);
 * - a string list's second form (a JSON-encoded array string, accepted for the original product's clients) is
 *   not advertised: assistants send the array;
 * - `user_id` (accepted, but only ever the caller's own id) is not advertised, and `project_id` is described once
 *   in the server's instructions;
 * - the `$schema` URI, length limits, patterns, large numeric guards and `false`/`[]` defaults are dropped: a call
 *   over a limit is answered with `invalid_input` naming the field and what it expects.
 * Validation is not done here: `runTool` parses with the zod schema for MCP and REST alike, so both answer with
 * the same messages.
 */
export function advertisedInputSchema(schema: z.ZodType): StandardSchemaWithJSON {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Json;
  const properties = Object.entries((json.properties ?? {}) as Record<string, Json>).filter(
    ([name]) => !UNADVERTISED.has(name),
  );
  const advertised = compactNode({
    ...json,
    properties: Object.fromEntries(properties),
    ...(Array.isArray(json.required)
      ? { required: (json.required as string[]).filter((name) => !UNADVERTISED.has(name)) }
      : {}),
  });
  return {
    "~standard": {
      version: 1,
      vendor: "coding-memory",
      validate: (value: unknown) => ({ value }),
      jsonSchema: { input: () => advertised, output: () => advertised },
    },
  } as StandardSchemaWithJSON;
}

/**
 * The output schema as `tools/list` advertises it: the zod schema's JSON Schema without the `$schema` URI, and
 * validated (by the SDK, on every result) with the zod schema itself.
 */
export function advertisedOutputSchema(schema: z.ZodType): StandardSchemaWithJSON {
  const json = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as Json;
  delete json.$schema;
  return {
    "~standard": {
      version: 1,
      vendor: "coding-memory",
      validate: (value: unknown) => schema["~standard"].validate(value),
      jsonSchema: { input: () => json, output: () => json },
    },
  } as StandardSchemaWithJSON;
}

function compactNode(node: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, Json>).map(([name, property]) => [
          name,
          compactProperty(DESCRIBED_ONCE.has(name) ? { ...property, description: undefined } : property),
        ]),
      );
    } else if (key === "items" && value && typeof value === "object" && !Array.isArray(value)) {
      out.items = compactNode(value as Json);
    } else {
      out[key] = value;
    }
  }
  return out;
}

function compactProperty(property: Json): Json {
  const { anyOf, description, nullResets, ...rest } = property;
  const described = typeof description === "string" ? { description } : {};
  if (Array.isArray(anyOf)) {
    const members = (anyOf as Json[]).filter((member) => member.type !== "null");
    const chosen =
      members.length === 2 && members[0]?.type === "array" && members[1]?.type === "string"
        ? members[0]
        : members.length === 1
          ? members[0]
          : null;
    if (chosen) {
      const nullable = nullResets === true && typeof chosen.type === "string";
      return compactProperty({
        ...described,
        ...chosen,
        ...(nullable ? { type: [chosen.type, "null"] } : {}),
        ...rest,
      });
    }
  }
  const out = compactNode({ ...described, ...rest, ...(anyOf ? { anyOf } : {}) });
  if (Array.isArray(out.type) && nullResets !== true) {
    const types = (out.type as string[]).filter((type) => type !== "null");
    out.type = types.length === 1 ? types[0] : types;
  }
  if (out.default === false || (Array.isArray(out.default) && out.default.length === 0)) delete out.default;
  if (!(out.type === "integer" && typeof out.maximum === "number" && out.maximum <= TELLING_RANGE)) {
    delete out.minimum;
    delete out.maximum;
  }
  return out;
}

/**
 * MCP's defaults are readOnlyHint false, destructiveHint true, idempotentHint false, openWorldHint true, and the
 * destructive and idempotent hints mean something only for tools that write. Only what differs is sent, and
 * readOnlyHint always.
 */
export function compactAnnotations(annotations: ToolAnnotations): ToolAnnotations {
  const out: ToolAnnotations = {};
  if (annotations.title !== undefined) out.title = annotations.title;
  // readOnlyHint is said either way: it is the one hint every client shows.
  out.readOnlyHint = annotations.readOnlyHint === true;
  if (!out.readOnlyHint) {
    if (annotations.destructiveHint === false) out.destructiveHint = false;
    if (annotations.idempotentHint) out.idempotentHint = true;
  }
  if (annotations.openWorldHint === false) out.openWorldHint = false;
  return out;
}
