import { describe, expect, it } from "vitest";
import { cacheRule, SHELL_CACHE_PREFIX, shellCacheName, shellFiles } from "./policy";

const origin = "https://calls.example.test";
const get = (path: string, mode = "cors") => ({ method: "GET", url: `${origin}${path}`, mode });

describe("the service worker's caching rule", () => {
  it("never touches the API, webhooks, the widget's config, downloads or health, whatever the method", () => {
    for (const path of [
      "/trpc/account.me",
      "/trpc/phone.events?input=%7B%7D",
      "/api/anything",
      "/webhooks/stripe",
      "/widget/config/abc",
      "/widget.js",
      "/uploads/logo.png",
      "/exports/file.zip",
      "/healthz",
    ]) {
      expect(cacheRule(get(path), origin), path).toBe("network");
      expect(cacheRule(get(path, "navigate"), origin), `${path} (navigation)`).toBe("network");
    }
  });

  it("never caches a non-GET request, even for a shell file", () => {
    for (const method of ["POST", "PUT", "DELETE", "HEAD", "PATCH"]) {
      expect(cacheRule({ ...get("/assets/main-abc.js"), method }, origin), method).toBe("network");
    }
  });

  it("never caches another origin's response", () => {
    expect(cacheRule({ method: "GET", url: "https://sdk.twilio.com/x.mp3", mode: "cors" }, origin)).toBe(
      "network",
    );
    expect(
      cacheRule({ method: "GET", url: "http://calls.example.test/assets/a.js", mode: "cors" }, origin),
    ).toBe("network");
  });

  it("leaves its own files and the manifest to the browser", () => {
    expect(cacheRule(get("/sw.js"), origin)).toBe("network");
    expect(cacheRule(get("/manifest.webmanifest"), origin)).toBe("network");
  });

  it("goes network-first for page loads and serves shell files from the cache", () => {
    expect(cacheRule(get("/calls?status=missed", "navigate"), origin)).toBe("navigation");
    expect(cacheRule(get("/", "navigate"), origin)).toBe("navigation");
    expect(cacheRule(get("/assets/main-abc.js"), origin)).toBe("shell");
    expect(cacheRule(get("/icons/icon-192.png", "no-cors"), origin)).toBe("shell");
  });

  it("does not mistake a page whose name starts like an API path for the API", () => {
    expect(cacheRule(get("/trpcs", "navigate"), origin)).toBe("navigation");
    expect(cacheRule(get("/widgets", "navigate"), origin)).toBe("navigation");
  });
});

describe("the shell a build caches", () => {
  it("is index.html, the icons and the bundled assets, not the worker or the manifest", () => {
    const files = shellFiles([
      "index.html",
      "assets/main-abc.js",
      "assets/main-def.css",
      "assets/twilio-123.js",
      "sw.js",
      "manifest.webmanifest",
      ".vite/manifest.json",
    ]);
    expect(files).toEqual([
      "/assets/main-abc.js",
      "/assets/main-def.css",
      "/assets/twilio-123.js",
      "/favicon.svg",
      "/icons/icon-192.png",
      "/icons/icon-maskable-192.png",
      "/index.html",
    ]);
  });

  it("lives in a cache named after its files, so a new build gets a new cache and the old one is dropped", () => {
    const a = shellCacheName(shellFiles(["assets/main-abc.js"]));
    const b = shellCacheName(shellFiles(["assets/main-abd.js"]));
    expect(a.startsWith(SHELL_CACHE_PREFIX)).toBe(true);
    expect(a).not.toBe(b);
    expect(shellCacheName(shellFiles(["assets/main-abc.js"]))).toBe(a);
  });
});
