import { afterEach, describe, expect, it, vi } from "vitest";
import { BASE, callTool, mcpClient, newUser, rest, uniqueName, workerFetch } from "../helpers";

/** A real 1×1 PNG. */
const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const pngBytes = () => Uint8Array.from(atob(PNG_BASE64), (char) => char.charCodeAt(0));

async function errorsIn(token: string, project: string): Promise<number> {
  return (await rest(token, "GET", `/api/v1/projects/${project}/errors?limit=200`)).body.items.length;
}

describe("screenshots attached to errors", () => {
  afterEach(() => vi.restoreAllMocks());

  it("stores a data-URL screenshot with the error in R2 and serves it back only to members", async () => {
    const { token } = await newUser();
    const project = uniqueName("shot");
    const client = await mcpClient(token);
    const recorded = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "TypeError",
      message: "Cannot read properties of undefined (reading 'email')",
      screenshot: `data:image/png;base64,${PNG_BASE64}`,
    });
    expect(recorded.isError, recorded.text).toBe(false);
    expect(recorded.data.screenshot).toMatchObject({ content_type: "image/png", size_bytes: pngBytes().length });
    const served = await workerFetch(`${BASE}${recorded.data.screenshot.url}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toBe("image/png");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(pngBytes());
    const stranger = await newUser();
    const hidden = await workerFetch(`${BASE}${recorded.data.screenshot.url}`, {
      headers: { Authorization: `Bearer ${stranger.token}` },
    });
    expect(hidden.status).toBe(404);

    // Raw base64 and an uploaded attachment's id work too.
    const viaBase64 = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "E",
      message: "b64",
      screenshot: PNG_BASE64,
    });
    expect(viaBase64.data.screenshot.content_type).toBe("image/png");
    const form = new FormData();
    form.append("file", new Blob([pngBytes()]), "error.png");
    const upload = await workerFetch(`${BASE}/api/v1/projects/${project}/attachments`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    const uploaded = (await upload.json()) as { attachment_id: string };
    expect(upload.status).toBe(201);
    const viaId = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "E",
      message: "by id",
      screenshot: uploaded.attachment_id,
    });
    expect(viaId.data.screenshot.attachment_id).toBe(uploaded.attachment_id);
    await client.close();
  }, 25_000); // 8 calls

  it("refuses a local path with how to send the file, and non-images by their bytes, recording nothing", async () => {
    const { token } = await newUser();
    const project = uniqueName("shot");
    const client = await mcpClient(token);
    await callTool(client, "coding_record_error", { project_id: project, error_type: "Seed", message: "seed" });
    const before = await errorsIn(token, project);
    const local = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "E",
      message: "m",
      screenshot: "/Users/dev/Desktop/error_screenshot.png",
    });
    expect(local.isError).toBe(true);
    expect(local.text).toContain("npx coding-memory screenshot");
    const disguised = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "E",
      message: "m",
      screenshot: `data:image/png;base64,${btoa("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>")}`,
    });
    expect(disguised.isError).toBe(true);
    expect(disguised.text).toContain("not a PNG, JPEG, WebP or GIF");
    expect(await errorsIn(token, project)).toBe(before);
    await client.close();

    const big = new Uint8Array(5 * 1_048_576 + 1);
    big.set(pngBytes().subarray(0, 8));
    const tooBig = await workerFetch(`${BASE}/api/v1/projects/${project}/attachments`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "image/png" },
      body: big,
    });
    expect(tooBig.status).toBe(413);
  }, 20_000); // 5 calls

  it("sniffs JPEG, WebP and GIF, fetches https URLs, and refuses plain http and redirects to it", async () => {
    const { token } = await newUser();
    const project = uniqueName("shot");
    const upload = (bytes: number[]) =>
      workerFetch(`${BASE}/api/v1/projects/${project}/attachments`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/octet-stream" },
        body: new Uint8Array([...bytes, ...new Array(32).fill(0)]),
      });
    const jpeg = await upload([0xff, 0xd8, 0xff, 0xe0]);
    expect(((await jpeg.json()) as { content_type: string }).content_type).toBe("image/jpeg");
    const gif = await upload([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]);
    expect(((await gif.json()) as { content_type: string }).content_type).toBe("image/gif");
    const webp = await upload([0x52, 0x49, 0x46, 0x46, 1, 0, 0, 0, 0x57, 0x45, 0x42, 0x50]);
    expect(((await webp.json()) as { content_type: string }).content_type).toBe("image/webp");

    const realFetch = globalThis.fetch;
    vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      if (url === "https://ci.example.com/shot.png")
        return new Response(pngBytes(), { headers: { "Content-Type": "text/plain" } });
      if (url === "https://ci.example.com/moved.png")
        return new Response(null, { status: 302, headers: { Location: "http://intranet/shot.png" } });
      return realFetch(input, init);
    });
    const viaUrl = await rest(token, "POST", `/api/v1/projects/${project}/errors`, {
      error_type: "E",
      message: "from a URL",
      screenshot: "https://ci.example.com/shot.png",
    });
    expect(viaUrl.status).toBe(201);
    expect(viaUrl.body.screenshot.content_type).toBe("image/png");
    for (const screenshot of ["http://ci.example.com/shot.png", "https://ci.example.com/moved.png"]) {
      const refused = await rest(token, "POST", `/api/v1/projects/${project}/errors`, {
        error_type: "E",
        message: "m",
        screenshot,
      });
      expect(refused.status, screenshot).toBe(400);
      expect(refused.body.error.message).toContain("https");
    }
  }, 25_000); // 7 calls

  it("fills the error from the screenshot's text (OCR done locally), explicit fields winning, and keeps the text searchable", async () => {
    const { token } = await newUser();
    const project = uniqueName("ocr");
    const client = await mcpClient(token);
    const ocrText = [
      "Traceback (most recent call last):",
      '  File "/home/dev/shop/app/main.py", line 12, in <module>',
      "    total = parse_total(raw)",
      '  File "/home/dev/shop/app/pricing.py", line 41, in parse_total',
      "    return Decimal(value)",
      "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]",
    ].join("\n");
    const recorded = await callTool(client, "coding_record_error", {
      project_id: project,
      screenshot: PNG_BASE64,
      screenshot_text: ocrText,
      tags: ["invoice"],
    });
    expect(recorded.isError, recorded.text).toBe(false);
    const listed = await rest(token, "GET", `/api/v1/projects/${project}/errors`);
    expect(listed.body.items[0]).toMatchObject({
      error_type: "decimal.InvalidOperation",
      file_path: expect.stringContaining("pricing.py"),
      line_number: 41,
    });
    const found = await callTool(client, "coding_search_errors", {
      project_id: project,
      query: "parse_total Decimal conversion",
    });
    expect(found.data.results[0].error_id).toBe(recorded.data.error_id);

    const explicit = await callTool(client, "coding_record_error", {
      project_id: project,
      error_type: "PricingError",
      screenshot_text: ocrText,
    });
    expect(explicit.data.error_type).toBe("PricingError");
    const missing = await callTool(client, "coding_record_error", { project_id: project, screenshot: PNG_BASE64 });
    expect(missing.isError).toBe(true);
    expect(missing.text).toContain("error_type");
    expect(missing.text).toContain("npx coding-memory screenshot");
    await client.close();
  }, 25_000); // 6 calls
});
