import type { BlobStore } from "../domain/screenshots/ports";

/** Attachment bytes in R2 (the SCREENSHOTS bucket); simulated locally by wrangler dev and the tests. */
export class R2BlobStore implements BlobStore {
  constructor(private readonly bucket: R2Bucket) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    await this.bucket.put(key, bytes, { httpMetadata: { contentType } });
  }

  async get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | null> {
    const object = await this.bucket.get(key);
    if (!object) return null;
    return {
      bytes: new Uint8Array(await object.arrayBuffer()),
      contentType: object.httpMetadata?.contentType ?? "application/octet-stream",
    };
  }
}
