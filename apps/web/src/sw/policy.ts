/**
 * What the service worker does with a request, as a pure function so it is tested without a
 * browser. The worker caches the app shell only: the API's answers (calls, people, the account)
 * must never be served from a cache, nor anything another origin or a non-GET request returns.
 */

/** The shell's cache names start with this; each build has its own (old ones are deleted). */
export const SHELL_CACHE_PREFIX = "cac-shell-";

/** Paths the server answers dynamically (the API, webhooks, the widget's config, downloads). */
const SERVER_PATHS = ["/trpc", "/api", "/webhooks", "/widget", "/uploads", "/exports", "/healthz"];

/** The worker's own files: the browser checks them itself, from the network. */
const NEVER_CACHED = ["/sw.js", "/manifest.webmanifest"];

export type CacheRule =
  /** Left to the network, untouched: the worker does not call respondWith. */
  | "network"
  /** A page load: the network first, the cached shell (index.html) when offline. */
  | "navigation"
  /** A file of the shell (hashed assets, icons): from the cache, else the network. */
  | "shell";

export type RequestFacts = { method: string; url: string; mode: RequestMode | string };

function underPath(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`) || pathname.startsWith(`${prefix}.`);
}

export function cacheRule(request: RequestFacts, origin: string): CacheRule {
  if (request.method !== "GET") return "network";
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return "network";
  }
  if (url.origin !== origin) return "network";
  if (SERVER_PATHS.some((prefix) => underPath(url.pathname, prefix))) return "network";
  if (NEVER_CACHED.includes(url.pathname)) return "network";
  if (request.mode === "navigate") return "navigation";
  return "shell";
}

/** The files a build's shell is made of: index.html and what it loads, never anything else. */
export function shellFiles(bundleFiles: string[]): string[] {
  const assets = bundleFiles.filter(
    (file) => /^assets\/.+\.(js|css|woff2?|svg|png|webp)$/.test(file) || /^icons\/.+\.png$/.test(file),
  );
  // The public folder's files are copied, not bundled: those the shell shows are named here.
  const fixed = ["/index.html", "/favicon.svg", "/icons/icon-192.png", "/icons/icon-maskable-192.png"];
  return [...new Set([...fixed, ...assets.map((file) => `/${file}`)])].sort();
}

/** The cache a shell of these files lives in: named after their (hashed) names, so any change is a new one. */
export function shellCacheName(files: string[]): string {
  let hash = 2166136261;
  for (const char of files.join("\n")) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 16777619);
  }
  return `${SHELL_CACHE_PREFIX}${(hash >>> 0).toString(36)}`;
}
