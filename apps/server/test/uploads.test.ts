import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import { type Harness, signupVerified, startHarness, type TestClient } from "./harness";

describe("logo upload", () => {
  let h: Harness;
  let owner: TestClient;
  let buttonId: string;
  let png: Buffer;
  beforeAll(async () => {
    h = await startHarness({ env: { DATA_DIR: `/tmp/cac-uploads-${process.pid}-${Date.now()}` } });
    owner = (await signupVerified(h)).client;
    buttonId = (await owner.trpc.buttons.create.mutate(validButton())).id;
    png = await sharp({ create: { width: 64, height: 64, channels: 4, background: "#1d4ed8" } })
      .png()
      .withMetadata({ exif: { IFD0: { Copyright: "secret-exif-marker" } } })
      .toBuffer();
  });
  afterAll(() => h.close());

  async function upload(bytes: Buffer, type: string, filename = "logo.png", id = buttonId) {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(bytes)], { type }), filename);
    const res = await owner.fetch(`${h.url}/uploads/logo?button=${id}`, { method: "POST", body: form });
    return {
      status: res.status,
      body: (await res.json()) as { logoUrl?: string; key?: string; error?: string },
    };
  }

  it("accepts a PNG, strips its metadata, and serves it with safe, immutable headers", async () => {
    expect(png.includes(Buffer.from("secret-exif-marker"))).toBe(true);
    const res = await upload(png, "image/png");
    expect(res.status).toBe(200);
    expect(res.body.key).toMatch(/^logos\/[a-f0-9]{32}\.png$/);
    const served = await fetch(res.body.logoUrl!.replace(h.portalOrigin, h.url));
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("x-content-type-options")).toBe("nosniff");
    expect(served.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(served.headers.get("cache-control")).toContain("immutable");
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.includes(Buffer.from("secret-exif-marker"))).toBe(false);
    expect((await sharp(bytes).metadata()).width).toBe(64);
    expect((await owner.trpc.buttons.get.query({ id: buttonId })).logoUrl).toBe(res.body.logoUrl);
  });

  it("refuses an SVG with a script", async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const res = await upload(svg, "image/svg+xml", "logo.svg");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/SVG logos are not accepted/);
  });

  it("refuses a PNG header followed by HTML", async () => {
    const fake = Buffer.concat([png.subarray(0, 8), Buffer.from("<html><script>alert(1)</script></html>")]);
    const res = await upload(fake, "image/png");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/not a valid image/);
  });

  it("refuses a file over 512 KB", async () => {
    const big = Buffer.concat([png, Buffer.alloc(600 * 1024)]);
    const res = await upload(big, "image/png");
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/512 KB/);
  });

  it("refuses a file whose Content-Type lies", async () => {
    const res = await upload(png, "image/jpeg", "logo.jpg");
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/sent as image\/jpeg but its content is PNG/);
  });

  it("refuses an upload from another origin, without a session, or for another account's button", async () => {
    const form = new FormData();
    form.append("file", new Blob([new Uint8Array(png)], { type: "image/png" }), "logo.png");
    const foreign = await fetch(`${h.url}/uploads/logo?button=${buttonId}`, {
      method: "POST",
      body: form,
      headers: { origin: "https://evil.test" },
    });
    expect(foreign.status).toBe(403);
    const anonymous = await h
      .client()
      .fetch(`${h.url}/uploads/logo?button=${buttonId}`, { method: "POST", body: form });
    expect(anonymous.status).toBe(401);
    const other = (await signupVerified(h)).client;
    const cross = await other.fetch(`${h.url}/uploads/logo?button=${buttonId}`, {
      method: "POST",
      body: form,
    });
    expect(cross.status).toBe(404);
  });

  it("serves nothing for keys outside the logo pattern", async () => {
    expect((await fetch(`${h.url}/uploads/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(`${h.url}/uploads/logos/${"0".repeat(32)}.png`)).status).toBe(404);
  });
});
