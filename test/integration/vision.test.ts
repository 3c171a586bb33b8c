import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import {
  BASE,
  callTool,
  interceptOpenAi,
  mcpClient,
  newUser,
  rest,
  uniqueName,
  workerFetch,
  type OpenAiFake,
} from "../helpers";

const PYTHON_TRACEBACK_PNG = inject("pythonTracebackPng");
const NODE_TYPE_ERROR_PNG = inject("nodeTypeErrorPng");

/** What a vision model reads from the rendered Python traceback (test/setup/render-images.mjs). */
const PYTHON_READING = {
  is_error: true,
  error_type: "decimal.InvalidOperation",
  message: "[<class 'decimal.ConversionSyntax'>]",
  file_path: "/home/dev/shop/app/pricing.py",
  line_number: 41,
  stack_frames: [
    { file: "/home/dev/shop/app/main.py", line: 12, function: "<module>" },
    { file: "/home/dev/shop/app/pricing.py", line: "41", function: "parse_total" },
  ],
  visible_code: "return Decimal(value)",
  suspected_root_cause: "parse_total passes a non-numeric string such as a currency-formatted price to Decimal.",
  language: "python",
  confidence: "high",
};

const NODE_READING = {
  is_error: true,
  error_type: "TypeError",
  message: "Cannot read properties of undefined (reading 'map')",
  file_path: "/app/src/components/List.tsx",
  line_number: 27,
  stack_frames: [
    { file: "/app/src/App.tsx", line: 14, function: "App" },
    { file: "/app/src/components/List.tsx", line: 27, function: "renderItems" },
  ],
  visible_code: null,
  suspected_root_cause: "items is undefined on the first render, before the fetch resolves.",
  language: "typescript",
  confidence: "high",
};

let openAi: OpenAiFake;
let answer: unknown = PYTHON_READING;
beforeEach(() => {
  answer = PYTHON_READING;
  openAi = interceptOpenAi(
    () => (typeof answer === "string" ? answer : "```json\n" + JSON.stringify(answer) + "\n```"),
    { prompt_tokens: 1_250, completion_tokens: 180 },
  );
});
afterEach(() => openAi.restore());

async function projectWithVision(settings: Record<string, unknown> = { auto_approve: true }) {
  const { token } = await newUser();
  const client = await mcpClient(token);
  const project_id = uniqueName("vision");
  const configured = await callTool(client, "coding_update_settings", {
    project_id,
    vision_model: "gpt-4o-mini",
    ...settings,
  });
  expect(configured.isError, configured.text).toBe(false);
  return { token, client, project_id };
}

/** The image the model was sent in the last vision call, as bytes. */
function sentImage(): Uint8Array {
  const content = openAi.calls.at(-1)?.messages?.at(-1)?.content as Array<Record<string, any>>;
  const url = content.find((part) => part.type === "image_url")?.image_url?.url as string;
  expect(url.startsWith("data:image/png;base64,")).toBe(true);
  return Uint8Array.from(atob(url.slice("data:image/png;base64,".length)), (c) => c.charCodeAt(0));
}

describe("screenshots read by a vision model", () => {
  it("records a rendered Python traceback sent as a data URL: type, message, file, line, frames, searchable", async () => {
    const { token, client, project_id } = await projectWithVision();
    const recorded = await callTool(client, "coding_record_error", {
      project_id,
      screenshot: `data:image/png;base64,${PYTHON_TRACEBACK_PNG}`,
      tags: ["checkout"],
    });
    expect(recorded.isError, recorded.text).toBe(false);
    // The model saw exactly the uploaded PNG, with the screenshot-analysis prompt, through the gateway.
    expect(openAi.calls).toHaveLength(1);
    expect(openAi.calls[0]?.model).toBe("gpt-4o-mini");
    expect(String(openAi.calls[0]?.messages?.[0]?.content)).toContain("screenshots of software errors");
    expect(btoa(String.fromCharCode(...sentImage()))).toBe(PYTHON_TRACEBACK_PNG);

    const data = recorded.data;
    expect(data.recorded).toBe(true);
    expect(data.error_type).toBe("decimal.InvalidOperation");
    expect(data.message).toBe("[<class 'decimal.ConversionSyntax'>]");
    expect(data.file_path).toBe("/home/dev/shop/app/pricing.py");
    expect(data.line_number).toBe(41);
    expect(data.from_screenshot).toEqual(["error_type", "message", "stack_trace", "file_path", "line_number"]);
    expect(data.screenshot.analysis.vision).toMatchObject({ state: "completed", model: "openai/gpt-4o-mini" });
    expect(data.screenshot.analysis.vision.cost_usd).toBeGreaterThan(0);
    expect(data.screenshot.analysis.result).toMatchObject({
      source: "vision",
      visible_code: "return Decimal(value)",
      language: "python",
      stack_frames: [
        { file: "/home/dev/shop/app/main.py", line: 12, function: "<module>" },
        { file: "/home/dev/shop/app/pricing.py", line: 41, function: "parse_total" },
      ],
    });
    expect(recorded.text).toContain("Suspected root cause: parse_total passes a non-numeric string");

    // Searchable like any error: by its message, and by what only the screenshot's analysis said.
    for (const query of ["InvalidOperation ConversionSyntax", "currency-formatted price Decimal"]) {
      const found = await callTool(client, "coding_search_errors", { project_id, query });
      expect(found.data.results[0]?.error_id, query).toBe(data.error_id);
    }
    // The analysis is kept with the error's screenshot; the image is served back to members.
    const shots = await rest(token, "GET", `/api/v1/projects/${project_id}/errors/${data.error_id}/screenshots`);
    expect(shots.status).toBe(200);
    expect(shots.body.screenshots).toHaveLength(1);
    expect(shots.body.screenshots[0].analysis).toMatchObject({
      source: "vision",
      model: "openai/gpt-4o-mini",
      suspected_root_cause: PYTHON_READING.suspected_root_cause,
    });
    // The same screenshot again is another occurrence of one record (the fingerprint came from its reading).
    const again = await callTool(client, "coding_record_error", {
      project_id,
      screenshot: `data:image/png;base64,${PYTHON_TRACEBACK_PNG}`,
    });
    expect(again.data.error_id).toBe(data.error_id);
    expect(again.data.occurrences).toBe(2);
    // Each reading is a call in the cost ledger under its own operation.
    const costs = await callTool(client, "coding_get_costs", { project_id });
    expect(JSON.stringify(costs.data)).toContain("screenshot_analysis");
  }, 25_000); // 9 calls

  it("reads an uploaded TypeScript error (REST upload id), explicit fields winning over the model's", async () => {
    const { token, project_id } = await projectWithVision();
    answer = NODE_READING;
    const upload = await fetchUpload(token, project_id, NODE_TYPE_ERROR_PNG);
    const recorded = await rest(token, "POST", `/api/v1/projects/${project_id}/errors`, {
      screenshot: upload.attachment_id,
      line_number: 28,
    });
    expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    expect(recorded.body).toMatchObject({
      error_type: "TypeError",
      message: "Cannot read properties of undefined (reading 'map')",
      file_path: "/app/src/components/List.tsx",
      line_number: 28,
    });
    expect(recorded.body.from_screenshot).not.toContain("line_number");
    // What the developer said went to the model with the image.
    const instruction = openAi.calls[0]?.messages?.at(-1)?.content?.[0]?.text as string;
    expect(instruction).toContain(project_id);
  });

  it("holds an analysis above the cost threshold: nothing recorded until approved, then the error from the image", async () => {
    const { client, project_id } = await projectWithVision({ auto_approve: false, cost_threshold: 0 });
    const held = await callTool(client, "coding_record_error", {
      project_id,
      screenshot: `data:image/png;base64,${PYTHON_TRACEBACK_PNG}`,
    });
    expect(held.isError, held.text).toBe(false);
    expect(openAi.calls).toHaveLength(0);
    expect(held.data.recorded).toBe(false);
    expect(held.data.error_id).toBeNull();
    expect(held.data.screenshot.analysis).toMatchObject({
      state: "approval_required",
      operation: "screenshot_analysis",
    });
    expect(held.text).toContain("coding_approve");
    const before = await callTool(client, "coding_search_errors", { project_id, query: "InvalidOperation" });
    expect(before.data.results).toHaveLength(0);

    const approved = await callTool(client, "coding_approve", {
      project_id,
      approval_id: held.data.screenshot.analysis.approval_id,
    });
    expect(approved.isError, approved.text).toBe(false);
    expect(openAi.calls).toHaveLength(1);
    expect(approved.data).toMatchObject({
      decision: "approved",
      operation: "screenshot_analysis",
      recorded: true,
      error_type: "decimal.InvalidOperation",
      line_number: 41,
    });
    const after = await callTool(client, "coding_search_errors", { project_id, query: "InvalidOperation" });
    expect(after.data.results[0]?.error_id).toBe(approved.data.error_id);
  }, 20_000); // 4 calls

  it("records at once when the caller's fields suffice, and the approved analysis fills what is still empty", async () => {
    const { token, client, project_id } = await projectWithVision({ auto_approve: false, cost_threshold: 0 });
    const recorded = await callTool(client, "coding_record_error", {
      project_id,
      error_type: "decimal.InvalidOperation",
      message: "[<class 'decimal.ConversionSyntax'>]",
      screenshot: `data:image/png;base64,${PYTHON_TRACEBACK_PNG}`,
    });
    expect(recorded.data.recorded).toBe(true);
    expect(recorded.data.file_path).toBeNull();
    expect(recorded.data.screenshot.analysis.vision.state).toBe("approval_required");

    const approved = await callTool(client, "coding_approve", {
      project_id,
      approval_id: recorded.data.screenshot.analysis.vision.approval_id,
    });
    expect(approved.isError, approved.text).toBe(false);
    expect(approved.data.error_id).toBe(recorded.data.error_id);
    expect(approved.data.filled_fields).toEqual(["file_path", "line_number", "stack_trace"]);
    const found = await callTool(client, "coding_search_errors", {
      project_id,
      query: "currency-formatted price",
      file: "app/pricing.py",
    });
    expect(found.data.results[0]).toMatchObject({
      error_id: recorded.data.error_id,
      file_path: "/home/dev/shop/app/pricing.py",
    });
    const shots = await rest(
      token,
      "GET",
      `/api/v1/projects/${project_id}/errors/${recorded.data.error_id}/screenshots`,
    );
    expect(shots.body.screenshots[0].analysis.source).toBe("vision");
  }, 20_000); // 4 calls

  it("falls back to the OCR text when the provider fails, and reports the failure", async () => {
    const { client, project_id } = await projectWithVision();
    openAi.failWith = 500;
    const recorded = await callTool(client, "coding_record_error", {
      project_id,
      screenshot: `data:image/png;base64,${PYTHON_TRACEBACK_PNG}`,
      screenshot_text: [
        "Traceback (most recent call last):",
        '  File "/home/dev/shop/app/pricing.py", line 41, in parse_total',
        "    return Decimal(value)",
        "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]",
      ].join("\n"),
    });
    expect(recorded.isError, recorded.text).toBe(false);
    expect(recorded.data).toMatchObject({ error_type: "decimal.InvalidOperation", line_number: 41 });
    expect(recorded.data.screenshot.analysis.vision.state).toBe("failed");
    expect(recorded.data.screenshot.analysis.result.source).toBe("ocr");
    expect(recorded.text).toContain("Vision analysis:");
  });

  it("refuses a screenshot that shows no error, naming the field and keeping the uploaded image's id", async () => {
    const { client, project_id } = await projectWithVision();
    answer = { is_error: false, error_type: null, message: null, stack_frames: [], confidence: "high" };
    const refused = await callTool(client, "coding_record_error", {
      project_id,
      screenshot: `data:image/png;base64,${PYTHON_TRACEBACK_PNG}`,
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain("error_type: required");
    expect(refused.text).toContain("saw no error");
    expect(refused.data.error.details.attachment_id).toMatch(/^att_/);
    // An answer that is not JSON is reported the same way, and nothing is taken from it.
    answer = "I think this is a Python error.";
    const unreadable = await callTool(client, "coding_record_error", {
      project_id,
      screenshot: refused.data.error.details.attachment_id,
    });
    expect(unreadable.isError).toBe(true);
    expect(unreadable.text).toContain("not readable");
  });

  it("refuses a misspelt setting instead of ignoring it (regression: cost_threshold_usd was silently dropped)", async () => {
    const { client } = await newUser().then(async (user) => ({ client: await mcpClient(user.token) }));
    const refused = await callTool(client, "coding_update_settings", {
      project_id: uniqueName("settings"),
      cost_threshold_usd: 0,
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain("cost_threshold_usd");
  });

  it("without a vision model, a screenshot alone is refused before anything is stored", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("novision");
    const refused = await callTool(client, "coding_record_error", {
      project_id,
      screenshot: `data:image/png;base64,${PYTHON_TRACEBACK_PNG}`,
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain("screenshot_text");
    expect(refused.text).toContain("vision_model");
    expect(refused.data.error.details.attachment_id).toBeUndefined();
    expect(openAi.calls).toHaveLength(0);
    // analyze: false keeps a configured model out of it.
    const withModel = await projectWithVision();
    const noAnalysis = await callTool(withModel.client, "coding_record_error", {
      project_id: withModel.project_id,
      error_type: "ValueError",
      message: "bad",
      screenshot: `data:image/png;base64,${PYTHON_TRACEBACK_PNG}`,
      analyze: false,
    });
    expect(noAnalysis.isError, noAnalysis.text).toBe(false);
    expect(openAi.calls).toHaveLength(0);
    expect(noAnalysis.data.screenshot.analysis.vision.state).toBe("skipped");
  }, 20_000); // 3 calls
});

async function fetchUpload(token: string, project: string, base64: string) {
  const response = await workerFetch(`${BASE}/api/v1/projects/${project}/attachments`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "image/png" },
    body: Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { attachment_id: string };
}
