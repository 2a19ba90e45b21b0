import { describe, expect, it } from "vitest";
import { css, surfaces } from "../src/dialog/styles";

/**
 * The dialog's themes: the surfaces the portal's contrast check measures the button color against
 * are the ones the dialog paints; dark applies always, auto only under a dark system setting.
 * The widget may not import @cac/core, so both sides pin the same values: this test here, and
 * `widgetSurfaces` in the portal's ThemeField.test.tsx.
 */
const widgetSurfaces = { light: "#ffffff", dark: "#1f2023" };
describe("dialog themes", () => {
  it("paints the surfaces the portal's contrast check uses", () => {
    expect(surfaces).toEqual(widgetSurfaces);
    expect(css).toContain(`--bg:${widgetSurfaces.light}`);
    expect(css).toContain(`--bg:${widgetSurfaces.dark}`);
  });

  it("sets the dark colors for .dark always and for .auto only under prefers-color-scheme: dark", () => {
    const dark = /\.dark\{([^}]*)\}/.exec(css)?.[1];
    expect(dark).toContain(`--bg:${widgetSurfaces.dark}`);
    expect(css).toContain(`@media (prefers-color-scheme:dark){.auto{${dark}}}`);
    // The dialog, its fields and its buttons draw with the theme's variables, not fixed light colors.
    expect(css).toContain("background:var(--bg);color:var(--fg)");
    expect(css).toMatch(/input,textarea\{[^}]*background:var\(--bg\)/);
    expect(css).toMatch(/\.btn\{[^}]*color:var\(--fg\);background:var\(--bg\)/);
  });
});
