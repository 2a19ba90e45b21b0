import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness } from "./harness";

/** A stand-in for the built portal, so this suite does not depend on `npm run build`. */
function fakePortalBuild() {
  const dir = mkdtempSync(join(tmpdir(), "cac-web-"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>Click &amp; Call</title><div id=root></div>");
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "assets", "app-abc123.js"), "console.log('portal')");
  writeFileSync(join(dir, "sw.js"), "self.addEventListener('push', () => {});");
  writeFileSync(join(dir, "manifest.webmanifest"), JSON.stringify({ name: "Click & Call", start_url: "/" }));
  return dir;
}

type Fetched = { label: string; res: Response };

async function responses(h: Harness): Promise<Fetched[]> {
  const html = { accept: "text/html,application/xhtml+xml" };
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${h.url}${path}`, { headers: { origin: h.portalOrigin, ...headers } });
  return [
    { label: "portal index", res: await get("/", html) },
    { label: "portal SPA route", res: await get("/dashboard/settings", html) },
    { label: "portal asset", res: await get("/assets/app-abc123.js") },
    { label: "service worker", res: await get("/sw.js") },
    { label: "web app manifest", res: await get("/manifest.webmanifest") },
    { label: "API query", res: await get("/trpc/system.info") },
    { label: "API error", res: await get("/trpc/account.sessions") },
    {
      label: "API mutation",
      res: await fetch(`${h.url}/trpc/auth.login`, {
        method: "POST",
        headers: { origin: h.portalOrigin, "content-type": "application/json" },
        body: JSON.stringify({ json: { email: "nobody@example.test", password: "whatever-password" } }),
      }),
    },
    { label: "health", res: await get("/healthz") },
    { label: "not found", res: await get("/no/such/thing.json") },
  ];
}

function directives(csp: string | null) {
  const map = new Map<string, string>();
  for (const part of (csp ?? "").split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values.join(" "));
  }
  return map;
}

describe("security headers in development", () => {
  let h: Harness;
  let webDist: string;
  let all: Fetched[];
  beforeAll(async () => {
    webDist = fakePortalBuild();
    h = await startHarness({ env: { WEB_DIST_DIR: webDist } });
    all = await responses(h);
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
    rmSync(webDist, { recursive: true, force: true });
  }, HARNESS_TIMEOUT_MS);

  it("serves the portal build and the SPA fallback", async () => {
    const index = all.find((r) => r.label === "portal index")!.res;
    expect(index.status).toBe(200);
    expect(await index.text()).toContain("<div id=root>");
    expect(all.find((r) => r.label === "portal SPA route")!.res.status).toBe(200);
  });

  it("serves the service worker and the manifest fresh (no-cache), with their content types, at the root scope", async () => {
    const worker = all.find((r) => r.label === "service worker")!.res;
    expect(worker.status).toBe(200);
    expect(worker.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(worker.headers.get("cache-control")).toBe("no-cache");
    expect(worker.headers.get("service-worker-allowed")).toBe("/");
    expect(await worker.text()).toContain("addEventListener('push'");
    const manifest = all.find((r) => r.label === "web app manifest")!.res;
    expect(manifest.status).toBe(200);
    expect(manifest.headers.get("content-type")).toMatch(/^application\/manifest\+json/);
    expect(manifest.headers.get("cache-control")).toBe("no-cache");
    expect(((await manifest.json()) as { name: string }).name).toBe("Click & Call");
    // Hashed assets stay immutable; only the fixed names are revalidated.
    const asset = all.find((r) => r.label === "portal asset")!.res;
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(asset.headers.get("service-worker-allowed")).toBeNull();
  });

  it("lets the portal's own service worker and manifest load, and nothing else's", () => {
    for (const { label, res } of all) {
      const csp = directives(res.headers.get("content-security-policy"));
      expect(csp.get("worker-src"), label).toBe("'self'");
      expect(csp.get("manifest-src"), label).toBe("'self'");
    }
  });

  it("sends a CSP with frame-ancestors 'none' and no inline scripts on every response", () => {
    for (const { label, res } of all) {
      const csp = directives(res.headers.get("content-security-policy"));
      expect(csp.get("frame-ancestors"), label).toBe("'none'");
      expect(csp.get("default-src"), label).toBe("'self'");
      expect(csp.get("script-src"), label).toBe("'self'");
      expect(csp.get("object-src"), label).toBe("'none'");
      expect(res.headers.get("x-frame-options"), label).toBe("DENY");
    }
  });

  it("sends X-Content-Type-Options: nosniff and a referrer policy on every response", () => {
    for (const { label, res } of all) {
      expect(res.headers.get("x-content-type-options"), label).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), label).toBe("strict-origin-when-cross-origin");
    }
  });

  it("sends no HSTS and no upgrade-insecure-requests in development", () => {
    for (const { label, res } of all) {
      expect(res.headers.get("strict-transport-security"), label).toBeNull();
      expect(
        directives(res.headers.get("content-security-policy")).has("upgrade-insecure-requests"),
        label,
      ).toBe(false);
    }
  });

  it("does not announce the server's software", () => {
    for (const { label, res } of all) {
      expect(res.headers.get("x-powered-by"), label).toBeNull();
    }
  });
});

describe("security headers in production", () => {
  let h: Harness;
  let webDist: string;
  let all: Fetched[];
  beforeAll(async () => {
    webDist = fakePortalBuild();
    h = await startHarness({
      env: {
        NODE_ENV: "production",
        PUBLIC_URL: "https://calls.example.test",
        WEB_DIST_DIR: webDist,
        // The harness's own database and the outbox the tests read.
        ALLOW_DEV_OUTBOX_IN_PRODUCTION: "true",
        ALLOW_EMBEDDED_DATABASE_IN_PRODUCTION: "true",
      },
    });
    all = await responses(h);
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
    rmSync(webDist, { recursive: true, force: true });
  }, HARNESS_TIMEOUT_MS);

  it("sends HSTS for a year, with subdomains, on every response", () => {
    for (const { label, res } of all) {
      const hsts = res.headers.get("strict-transport-security");
      expect(hsts, label).toMatch(/max-age=31536000/);
      expect(hsts, label).toMatch(/includeSubDomains/i);
    }
  });

  it("has no dev outbox in production (it would show every email's links)", async () => {
    const res = await fetch(`${h.url}/trpc/system.devOutbox`, { headers: { origin: h.portalOrigin } });
    expect(res.status).toBe(404);
  });

  it("keeps the CSP with frame-ancestors 'none' and nosniff", () => {
    for (const { label, res } of all) {
      expect(directives(res.headers.get("content-security-policy")).get("frame-ancestors"), label).toBe(
        "'none'",
      );
      expect(res.headers.get("x-content-type-options"), label).toBe("nosniff");
    }
  });
});
