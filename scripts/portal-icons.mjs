/**
 * Renders the portal's app icons (apps/web/public/icons/*.png) from the favicon's artwork, for the
 * web app manifest and iOS's home screen. Run it after changing the artwork:
 *   node scripts/portal-icons.mjs
 * Chromium draws them (the same browser the e2e tests use), so the PNGs match the SVG exactly.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "@playwright/test";

const publicDir = fileURLToPath(new URL("../apps/web/public/", import.meta.url));
const favicon = readFileSync(`${publicDir}favicon.svg`, "utf8");
// The handset, as the favicon draws it on its 32-unit square.
const handset = favicon.match(/<path[^>]*\/>/)?.[0];
if (!handset) throw new Error("favicon.svg has no <path> to draw");
const brand = "#1d4ed8";

/** "any": the favicon's rounded square. "maskable": full bleed, the handset inside the 80 % safe zone. */
function artwork(kind) {
  if (kind === "any") return favicon.replace("<svg ", '<svg width="100%" height="100%" ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="100%" height="100%" viewBox="0 0 32 32"><rect width="32" height="32" fill="${brand}"/><g transform="translate(16 16) scale(0.75) translate(-16 -16)">${handset}</g></svg>`;
}

const icons = [
  { file: "icon-192.png", size: 192, kind: "any" },
  { file: "icon-512.png", size: 512, kind: "any" },
  { file: "icon-maskable-192.png", size: 192, kind: "maskable" },
  { file: "icon-maskable-512.png", size: 512, kind: "maskable" },
  // iOS rounds the corners itself and shows no transparency: a full-bleed square.
  { file: "apple-touch-icon.png", size: 180, kind: "maskable" },
];

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
try {
  const page = await browser.newPage();
  for (const { file, size, kind } of icons) {
    await page.setViewportSize({ width: size, height: size });
    await page.setContent(
      `<!doctype html><html><body style="margin:0;background:transparent">${artwork(kind)}</body></html>`,
    );
    await page.screenshot({ path: `${publicDir}icons/${file}`, omitBackground: true });
    console.log(`icons/${file} (${size}×${size}, ${kind})`);
  }
} finally {
  await browser.close();
}
