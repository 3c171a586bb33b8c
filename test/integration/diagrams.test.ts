import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { callTool, interceptOpenAi, mcpClient, newUser, rest, uniqueName, type OpenAiFake } from "../helpers";

const DIAGRAM_PNG = inject("architectureDiagramPng");

const MERMAID = `flowchart TD
  web[Web App] -->|HTTPS| gw[API Gateway]
  gw --> orders[Order Service]
  gw --> payments[Payment Service]
  gw --> users[User Service]
  orders --> ordersdb[(Orders DB)]
  payments --> paymentsdb[(Payments DB)]
  users --> usersdb[(Users DB)]
  orders -.->|order.placed| bus[[Kafka]]
  bus -.-> payments
`;

/** What a vision model reads from the rendered diagram (test/setup/render-images.mjs). */
const VISION_READING = {
  title: "Shop backend",
  components: [
    { id: "web", name: "Web App", kind: "client", group: null },
    { id: "gateway", name: "API Gateway", kind: "gateway", group: null },
    { id: "orders", name: "Order Service", kind: "service", group: null },
    { id: "payments", name: "Payment Service", kind: "service", group: null },
    { id: "users", name: "User Service", kind: "service", group: null },
    { id: "orders-db", name: "Orders DB", kind: "database", group: null },
    { id: "payments-db", name: "Payments DB", kind: "database", group: null },
    { id: "users-db", name: "Users DB", kind: "db", group: null },
  ],
  connections: [
    { from: "web", to: "gateway", label: "HTTPS", kind: "sync" },
    { from: "gateway", to: "orders", label: null, kind: "sync" },
    { from: "gateway", to: "payments", label: null, kind: "sync" },
    { from: "gateway", to: "User Service", label: null, kind: "sync" },
    { from: "orders", to: "orders-db", label: null, kind: "data" },
    { from: "payments", to: "payments-db", label: null, kind: "data" },
    { from: "users", to: "users-db", label: null, kind: "data" },
  ],
  pattern: "microservices",
  confidence: "high",
  evidence: ["An API Gateway fans out to three services", "each service owns its database"],
  summary: "A web app calls three services through an API gateway; each service has its own database.",
};

let openAi: OpenAiFake;
let answer: unknown = VISION_READING;
beforeEach(() => {
  answer = VISION_READING;
  openAi = interceptOpenAi(() => (typeof answer === "string" ? answer : JSON.stringify(answer)), {
    prompt_tokens: 1_300,
    completion_tokens: 400,
  });
});
afterEach(() => openAi.restore());

describe("coding_analyze_diagram", () => {
  it("parses a Mermaid diagram with no model: components, connections, pattern, kept in the project context", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("arch");
    const analyzed = await callTool(client, "coding_analyze_diagram", {
      project_id,
      diagram_source: MERMAID,
      title: "Shop backend",
      record_decision: true,
    });
    expect(analyzed.isError, analyzed.text).toBe(false);
    expect(openAi.calls).toHaveLength(0);
    const data = analyzed.data;
    expect(data.source_format).toBe("mermaid");
    expect(data.analysis).toEqual({ state: "parsed", format: "mermaid" });
    const kinds = Object.fromEntries(data.components.map((c: any) => [c.name, c.kind]));
    expect(kinds).toMatchObject({
      "Web App": "client",
      "API Gateway": "gateway",
      "Order Service": "service",
      "Orders DB": "database",
      Kafka: "queue",
    });
    expect(data.components).toHaveLength(9);
    expect(data.connections).toHaveLength(9);
    expect(data.connections).toContainEqual({ from: "web", to: "gw", label: "HTTPS", kind: "sync" });
    expect(data.connections).toContainEqual(expect.objectContaining({ from: "orders", to: "bus", kind: "async" }));
    expect(["microservices", "event-driven"]).toContain(data.pattern);
    expect(data.evidence.length).toBeGreaterThan(0);
    expect(analyzed.text).toContain("Web App → API Gateway (HTTPS)");

    // Kept in the project context, and as a decision when asked.
    const context = await callTool(client, "coding_get_project_context", { project_id });
    expect(context.data.architecture).toEqual([
      expect.objectContaining({ diagram_id: data.diagram_id, title: "Shop backend", pattern: data.pattern }),
    ]);
    expect(context.text).toContain("## Architecture");
    expect(context.text).toContain("Shop backend");
    expect(data.decision_id).toBeTruthy();
    expect(JSON.stringify(context.data.decisions)).toContain(`Architecture of Shop backend: ${data.pattern}`);

    // Listed and read back over REST by members only.
    const listed = await rest(token, "GET", `/api/v1/projects/${project_id}/diagrams`);
    expect(listed.status).toBe(200);
    expect(listed.body.diagrams.map((d: any) => d.diagram_id)).toEqual([data.diagram_id]);
    const one = await rest(token, "GET", `/api/v1/projects/${project_id}/diagrams/${data.diagram_id}`);
    expect(one.body.source_text).toBe(MERMAID);
    const stranger = await newUser();
    expect((await rest(stranger.token, "GET", `/api/v1/projects/${project_id}/diagrams`)).status).toBe(404);
  }, 25_000); // 6 calls

  it("reads a rendered diagram image with the vision model, through the gateway, into the same shape", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("archimg");
    await callTool(client, "coding_update_settings", { project_id, vision_model: "gpt-4o-mini", auto_approve: true });
    const analyzed = await rest(token, "POST", `/api/v1/projects/${project_id}/diagrams`, {
      image: `data:image/png;base64,${DIAGRAM_PNG}`,
    });
    expect(analyzed.status, JSON.stringify(analyzed.body)).toBe(201);
    expect(openAi.calls).toHaveLength(1);
    const content = openAi.calls[0]?.messages?.at(-1)?.content as Array<Record<string, any>>;
    expect(content.find((part) => part.type === "image_url")?.image_url?.url).toBe(
      `data:image/png;base64,${DIAGRAM_PNG}`,
    );
    expect(String(openAi.calls[0]?.messages?.[0]?.content)).toContain("architecture diagrams");
    const body = analyzed.body;
    expect(body).toMatchObject({
      title: "Shop backend",
      source_format: "vision",
      model: "openai/gpt-4o-mini",
      pattern: "microservices",
      pattern_confidence: "high",
    });
    expect(body.analysis).toMatchObject({ state: "completed", model: "openai/gpt-4o-mini" });
    expect(body.image.attachment_id).toMatch(/^att_/);
    // An unknown kind is classified from the name; an end given by label is the component of that label.
    expect(body.components.find((c: any) => c.name === "Users DB").kind).toBe("database");
    expect(body.connections).toContainEqual({ from: "gateway", to: "users", label: null, kind: "sync" });
    expect(body.components).toHaveLength(8);
    const costs = await callTool(client, "coding_get_costs", { project_id });
    expect(JSON.stringify(costs.data)).toContain("diagram_analysis");
  }, 20_000); // 4 calls

  it("infers the pattern itself when the model cannot name one, holds above the threshold, and refuses clearly", async () => {
    const { token } = await newUser();
    const client = await mcpClient(token);
    const project_id = uniqueName("archheld");
    // No vision model: an image alone is refused before anything is stored; the source still works.
    const refused = await callTool(client, "coding_analyze_diagram", {
      project_id,
      image: `data:image/png;base64,${DIAGRAM_PNG}`,
    });
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain("vision model");
    expect(refused.text).toContain("diagram_source");
    const nothing = await callTool(client, "coding_analyze_diagram", { project_id, title: "x" });
    expect(nothing.isError).toBe(true);
    expect(nothing.text).toContain("image:");

    await callTool(client, "coding_update_settings", {
      project_id,
      vision_model: "gpt-4o-mini",
      auto_approve: false,
      cost_threshold: 0,
    });
    const held = await callTool(client, "coding_analyze_diagram", {
      project_id,
      image: `data:image/png;base64,${DIAGRAM_PNG}`,
      title: "Checkout",
    });
    expect(held.isError, held.text).toBe(false);
    expect(openAi.calls).toHaveLength(0);
    expect(held.data.diagram_id).toBeNull();
    expect(held.data.analysis).toMatchObject({ state: "approval_required", operation: "diagram_analysis" });

    answer = { ...VISION_READING, title: null, pattern: "unknown", evidence: [] };
    const approved = await callTool(client, "coding_approve", {
      project_id,
      approval_id: held.data.analysis.approval_id,
    });
    expect(approved.isError, approved.text).toBe(false);
    expect(openAi.calls).toHaveLength(1);
    expect(approved.data).toMatchObject({ decision: "approved", operation: "diagram_analysis", title: "Checkout" });
    // Gateway fanning out to three services that each own a database: inferred from the structure.
    expect(approved.data.pattern).toBe("microservices");
    expect(approved.data.evidence.length).toBeGreaterThan(0);

    answer = "Looks like microservices to me.";
    await callTool(client, "coding_update_settings", { project_id, auto_approve: true });
    const unreadable = await callTool(client, "coding_analyze_diagram", {
      project_id,
      image: approved.data.attachment_id,
    });
    expect(unreadable.isError).toBe(true);
    expect(unreadable.text).toContain("did not answer with the expected JSON");
    const listed = await rest(token, "GET", `/api/v1/projects/${project_id}/diagrams`);
    expect(listed.body.diagrams).toHaveLength(1);
  }, 25_000); // 9 calls
});
