import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AA_NORMAL_TEXT, contrastRatio, formatRatio } from "../src/contrast";

/**
 * The portal's colors in both themes, read from the design system's stylesheet: every token is
 * `light-dark(<light>, <dark>)`, and each pair the screens draw text (or a control's edge) with
 * must keep its contrast in light and in dark. axe checks the rendered pages (e2e/portal-polish).
 */

type Theme = "light" | "dark";

function tokens(): Record<Theme, Record<string, string>> {
  const out: Record<Theme, Record<string, string>> = { light: {}, dark: {} };
  for (const [, name, light, dark] of css.matchAll(
    /--(ui-[\w-]+):\s*light-dark\((#[0-9a-f]{6}),\s*(#[0-9a-f]{6})\)/gi,
  )) {
    if (!name || !light || !dark) continue;
    out.light[name] = light;
    out.dark[name] = dark;
  }
  return out;
}

/** [foreground, background, what it is]: text needs 4.5:1 (AA), a control's edge or focus ring 3:1. */
const textPairs: Array<[string, string, string]> = [
  ["ui-text", "ui-bg", "text on the page"],
  ["ui-text", "ui-surface", "text in cards"],
  ["ui-text", "ui-surface-muted", "text in table headers and card footers"],
  ["ui-text-muted", "ui-bg", "hints on the page"],
  ["ui-text-muted", "ui-surface", "hints in cards"],
  ["ui-text-muted", "ui-surface-muted", "hints in muted bands and the nav's hover"],
  ["ui-primary", "ui-surface", "links"],
  ["ui-primary", "ui-bg", "links on the page"],
  ["ui-primary", "ui-primary-soft", "the current page in the navigation"],
  ["ui-primary-hover", "ui-surface", "links on hover"],
  ["ui-on-primary", "ui-primary", "primary buttons"],
  ["ui-on-primary", "ui-primary-hover", "primary buttons on hover"],
  ["ui-danger", "ui-surface", "danger buttons and field errors"],
  ["ui-danger-hover", "ui-danger-soft", "danger buttons on hover"],
  ["ui-danger-text", "ui-danger-soft", "error alerts and badges"],
  ["ui-success", "ui-surface", "the phone's On status"],
  ["ui-success-text", "ui-success-soft", "success alerts and badges"],
  ["ui-on-success", "ui-success", "done steps"],
  ["ui-warning-text", "ui-warning-soft", "warning alerts and badges"],
  ["ui-info-text", "ui-info-soft", "info alerts, badges and the current session"],
  ["ui-text", "ui-info-soft", "text in the current session"],
];

const edgePairs: Array<[string, string, string]> = [
  ["ui-focus", "ui-bg", "the focus ring on the page"],
  ["ui-focus", "ui-surface", "the focus ring in cards"],
  ["ui-border-strong", "ui-surface", "input borders"],
];

const css = readFileSync(new URL("../src/styles.css", import.meta.url), "utf8");

describe("theme contrast", () => {
  const themes = tokens();

  it("reads both themes' colors from the stylesheet", () => {
    for (const [fg, bg] of [...textPairs, ...edgePairs]) {
      for (const theme of ["light", "dark"] as const) {
        expect(themes[theme][fg], `${theme} ${fg}`).toMatch(/^#/);
        expect(themes[theme][bg], `${theme} ${bg}`).toMatch(/^#/);
      }
    }
  });

  for (const theme of ["light", "dark"] as const) {
    it(`keeps text at AA and edges at 3:1 in ${theme}`, () => {
      const failures: string[] = [];
      for (const [pairs, minimum] of [
        [textPairs, AA_NORMAL_TEXT],
        [edgePairs, 3],
      ] as const) {
        for (const [fg, bg, what] of pairs) {
          const ratio = contrastRatio(themes[theme][fg] ?? "", themes[theme][bg] ?? "") ?? 0;
          if (ratio < minimum) failures.push(`${what} (${fg} on ${bg}): ${formatRatio(ratio)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});
