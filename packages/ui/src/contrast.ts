/**
 * WCAG 2 contrast between two colors: the button editor warns with it when a button's text is hard
 * to read, and a test holds the portal's own theme colors to it.
 * https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio
 */

/** WCAG AA for normal-size text. */
export const AA_NORMAL_TEXT = 4.5;
/** WCAG AA for what is not text (1.4.11): a control's shape against what is around it. */
export const AA_NON_TEXT = 3;

const HEX = /^#?([0-9a-f]{6}|[0-9a-f]{3})$/i;

/** `#1d4ed8`, `1d4ed8` or `#fff` → [r, g, b] in 0–255; null when it is not a hex color. */
export function parseHex(value: string): [number, number, number] | null {
  const match = HEX.exec(value.trim());
  if (!match?.[1]) return null;
  let hex = match[1];
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join("");
  const n = Number.parseInt(hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** A six-digit lower-case `#rrggbb`, or null. */
export function normalizeHex(value: string): string | null {
  const rgb = parseHex(value);
  return rgb ? `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}` : null;
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Relative luminance, 0 (black) to 1 (white). */
export function relativeLuminance([r, g, b]: readonly [number, number, number]): number {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** The contrast ratio of two hex colors, 1 to 21; null when either is not a color. */
export function contrastRatio(a: string, b: string): number | null {
  const ca = parseHex(a);
  const cb = parseHex(b);
  if (!ca || !cb) return null;
  const la = relativeLuminance(ca);
  const lb = relativeLuminance(cb);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/**
 * "4.48:1". Rounded down to two decimals, so a ratio just under 4.5 never reads as "4.50:1"
 * next to a warning that it is too low.
 */
export function formatRatio(ratio: number): string {
  return `${(Math.floor(ratio * 100) / 100).toFixed(2)}:1`;
}
