import { Hono } from "hono";
import { AppError } from "../domain/core/app-error";
import { ATTACHMENT_LIMITS } from "../domain/screenshots/attachments";
import { attachmentView } from "../views/attachments";
import { analysisResultView } from "../views/screenshots";
import { member, projectName, type RestEnv } from "./input";

/** Screenshots: upload (multipart `file`, or the raw image as the body) and read back, members only. */
export function attachmentRoutes(): Hono<RestEnv> {
  const api = new Hono<RestEnv>();
  api.post("/projects/:project/attachments", projectName, async (c) => {
    const services = c.get("services");
    const identity = c.get("identity");
    const project = await services.projects.resolveProject(identity, c.get("projectName"), "write");
    await services.accounts.limitWrites(identity);
    // The image's own limit, with room for the multipart envelope; the exact size is checked where it is stored.
    if (Number(c.req.header("Content-Length") ?? "0") > ATTACHMENT_LIMITS.bytes + 64 * 1024) {
      throw new AppError("payload_too_large", `file: images are limited to ${ATTACHMENT_LIMITS.bytes} bytes.`, {
        details: { field: "file", limit: ATTACHMENT_LIMITS.bytes },
      });
    }
    let bytes: Uint8Array;
    if ((c.req.header("Content-Type") ?? "").startsWith("multipart/form-data")) {
      const file = (await c.req.formData()).get("file");
      if (!file || typeof file === "string") {
        throw new AppError("invalid_input", "file: send the image in a multipart field named file.", {
          details: { field: "file" },
        });
      }
      bytes = new Uint8Array(await file.arrayBuffer());
    } else {
      bytes = new Uint8Array(await c.req.arrayBuffer());
    }
    const attachment = await services.screenshots.store(identity, project, bytes, "upload");
    return c.json({ ...attachmentView(project, attachment), sha256: attachment.sha256 }, 201);
  });
  api.get("/projects/:project/attachments/:id", member(), async (c) => {
    const { attachment, bytes } = await c.get("services").screenshots.read(c.get("project"), c.req.param("id"));
    return new Response(bytes, {
      headers: {
        "Content-Type": attachment.contentType,
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'",
      },
    });
  });
  // The screenshots of an error, each with what it was read as (vision model or OCR).
  api.get("/projects/:project/errors/:error_id/screenshots", member(), async (c) => {
    const project = c.get("project");
    const services = c.get("services");
    const errorId = c.req.param("error_id");
    if (!(await services.errors.records.getError(project, errorId))) {
      throw new AppError("not_found", `error_id: error ${errorId} not found in project ${project.slug}.`, {
        details: { field: "error_id" },
      });
    }
    const screenshots = await services.screenshots.forError(project, errorId);
    return c.json({
      error_id: errorId,
      screenshots: screenshots.map((screenshot) => ({
        ...attachmentView(project, screenshot),
        created_at: new Date(screenshot.createdAt).toISOString(),
        analysis: screenshot.analysis && analysisResultView(screenshot.analysis),
      })),
    });
  });
  return api;
}
