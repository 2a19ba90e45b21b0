import { randomBytes } from "node:crypto";
import { LOGO_STORAGE_QUOTA_BYTES } from "@cac/core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";

/** POST /uploads/logo as the portal sends it: multipart, with the client's session and Origin. */
async function postLogo(
  h: Harness,
  client: TestClient,
  id: string,
  bytes: Buffer,
  type = "image/png",
  filename = "logo.png",
) {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array(bytes)], { type }), filename);
  const res = await client.fetch(`${h.url}/uploads/logo?button=${id}`, { method: "POST", body: form });
  const body = (await res.json()) as {
    logoUrl?: string;
    key?: string;
    error?: string;
    fieldErrors?: { file?: string[] };
  };
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body };
}

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

  const upload = (bytes: Buffer, type: string, filename = "logo.png", id = buttonId) =>
    postLogo(h, owner, id, bytes, type, filename);

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

/** A PNG of random pixels: it does not compress, so its re-encoded size stays close to w × h × 3. */
function noisePng(width = 400, height = 400) {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

describe("logo upload limits and storage quota", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { DATA_DIR: `/tmp/cac-uploads-quota-${process.pid}-${Date.now()}` },
      limits: {
        "logo.account": { points: 3, durationSeconds: 600 },
        "logo.ip": { points: 5, durationSeconds: 600 },
      },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const upload = (client: TestClient, id: string, bytes: Buffer) => postLogo(h, client, id, bytes);

  it("limits uploads per account, with 429 and Retry-After; another account is not affected", async () => {
    const { client } = await signupVerified(h);
    const id = (await client.trpc.buttons.create.mutate(validButton({ enabled: false }))).id;
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#123456" } })
      .png()
      .toBuffer();
    for (let i = 0; i < 3; i++) expect((await upload(client, id, png)).status).toBe(200);
    const limited = await upload(client, id, png);
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect(limited.body.error).toMatch(/too many attempts/i);

    const other = (await signupVerified(h)).client;
    const otherId = (await other.trpc.buttons.create.mutate(validButton({ enabled: false }))).id;
    expect((await upload(other, otherId, png)).status).toBe(200);
  });

  it("limits uploads per IP across accounts", async () => {
    const ip = uniqueIp();
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#654321" } })
      .png()
      .toBuffer();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { email, password } = await signupVerified(h);
      const client = h.client({ ip });
      await client.trpc.auth.login.mutate({ email, password });
      const id = (await client.trpc.buttons.create.mutate(validButton({ enabled: false }))).id;
      for (let j = 0; j < 2; j++) statuses.push((await upload(client, id, png)).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });
});

describe("logo storage quota", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { DATA_DIR: `/tmp/cac-uploads-store-${process.pid}-${Date.now()}` } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const upload = (client: TestClient, id: string, bytes: Buffer) => postLogo(h, client, id, bytes);
  const served = async (key: string) => (await fetch(`${h.url}/uploads/${key}`)).status;

  it("refuses a logo past the account's quota, and replaced, removed or deleted logos free their space", async () => {
    const { client } = await signupVerified(h);
    const logo = await noisePng();
    expect(logo.length).toBeLessThanOrEqual(512 * 1024);
    const perLogo = (await sharp(logo).png({ compressionLevel: 9 }).toBuffer()).length;
    const fits = Math.floor(LOGO_STORAGE_QUOTA_BYTES / perLogo);
    const ids: string[] = [];
    for (let i = 0; i <= fits; i++) {
      ids.push((await client.trpc.buttons.create.mutate(validButton({ name: `B${i}`, enabled: false }))).id);
    }
    const keys: string[] = [];
    for (const id of ids.slice(0, fits)) {
      const res = await upload(client, id, await noisePng());
      expect(res.status, res.body.error).toBe(200);
      keys.push(res.body.key!);
    }

    // One more logo does not fit: refused, nothing stored, the button keeps no logo.
    const last = ids[fits]!;
    const refused = await upload(client, last, await noisePng());
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/Your logos would use .* of the 5 MB allowed/);
    expect(refused.body.fieldErrors?.file?.[0]).toBe(refused.body.error);
    expect((await client.trpc.buttons.get.query({ id: last })).logoUrl).toBeNull();

    // Replacing a logo frees the old one's space and its file.
    const replaced = await upload(client, ids[0]!, await noisePng());
    expect(replaced.status).toBe(200);
    expect(await served(keys[0]!)).toBe(404);
    expect(await served(replaced.body.key!)).toBe(200);

    // Removing one frees its space: the last button now gets its logo.
    await client.trpc.buttons.removeLogo.mutate({ id: ids[1]! });
    expect(await served(keys[1]!)).toBe(404);
    const fitsNow = await upload(client, last, await noisePng());
    expect(fitsNow.status).toBe(200);

    // Full again; deleting a button frees its logo's space and file.
    expect((await upload(client, ids[1]!, await noisePng())).status).toBe(403);
    await client.trpc.buttons.delete.mutate({ id: ids[2]! });
    expect(await served(keys[2]!)).toBe(404);
    expect((await upload(client, ids[1]!, await noisePng())).status).toBe(200);
  });

  it("counts a duplicated button's shared logo once, and keeps the file while a copy uses it", async () => {
    const { client } = await signupVerified(h);
    const id = (await client.trpc.buttons.create.mutate(validButton({ enabled: false }))).id;
    const first = await upload(client, id, await noisePng(64, 64));
    expect(first.status).toBe(200);
    const copy = await client.trpc.buttons.duplicate.mutate({ id });
    expect(copy.logoUrl).toContain(first.body.key);
    await client.trpc.buttons.removeLogo.mutate({ id });
    expect(await served(first.body.key!)).toBe(200);
    await client.trpc.buttons.delete.mutate({ id: copy.id });
    expect(await served(first.body.key!)).toBe(404);
  });

  it("gives each account its own file for the same image", async () => {
    const png = await noisePng(32, 32);
    const keys: string[] = [];
    for (let i = 0; i < 2; i++) {
      const { client } = await signupVerified(h);
      const id = (await client.trpc.buttons.create.mutate(validButton({ enabled: false }))).id;
      keys.push((await upload(client, id, png)).body.key!);
    }
    expect(keys[0]).not.toBe(keys[1]);
  });
});
