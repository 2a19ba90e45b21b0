// @vitest-environment happy-dom
import { widgetSurfaces } from "@cac/core/domain";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ThemeField } from "./AppearanceFields";
import { newDraft, previewConfig, toFields, type WidgetTheme } from "./draft";

/**
 * The dialog theme select and its contrast check: the button color (the dialog's primary action)
 * against the dialog surface of every theme the visitor can see — both when it follows them.
 */

let root: Root | undefined;
let host: HTMLElement;
let chosen: WidgetTheme[] = [];

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => {
  act(() => root?.unmount());
  host?.remove();
  chosen = [];
});

function render(theme: WidgetTheme, background: string) {
  host = document.createElement("div");
  document.body.append(host);
  root = createRoot(host);
  act(() =>
    root?.render(<ThemeField theme={theme} background={background} onChange={(t) => chosen.push(t)} />),
  );
  return {
    select: host.querySelector("select") as HTMLSelectElement,
    warnings: [...host.querySelectorAll('[role="alert"], .ui-alert')].map((e) => e.textContent ?? ""),
  };
}

describe("ThemeField", () => {
  it("offers light, dark and following the visitor, labelled, and reports the choice", () => {
    const { select } = render("light", "#1d4ed8");
    expect(host.querySelector(`label[for="${select.id}"]`)?.textContent).toBe("Dialog theme");
    expect([...select.options].map((o) => o.value)).toEqual(["light", "dark", "auto"]);
    expect(select.value).toBe("light");
    act(() => {
      select.value = "auto";
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    expect(chosen).toEqual(["auto"]);
  });

  it("warns when the button color is faint on the light dialog, the dark one, or either when following", () => {
    expect(widgetSurfaces).toEqual({ light: "#ffffff", dark: "#1f2023" });
    // A deep blue stands out on white, barely on the dark surface; a pale yellow the other way round.
    expect(render("light", "#1d4ed8").warnings).toEqual([]);
    act(() => root?.unmount());
    expect(render("dark", "#1d4ed8").warnings.join(" ")).toMatch(/Faint on the dark dialog: \d\.\d\d:1/);
    act(() => root?.unmount());
    expect(render("dark", "#fde68a").warnings).toEqual([]);
    act(() => root?.unmount());
    expect(render("light", "#fde68a").warnings.join(" ")).toMatch(/Faint on the light dialog/);
    act(() => root?.unmount());
    const both = render("auto", "#1d4ed8").warnings;
    expect(both).toHaveLength(1);
    expect(both[0]).toMatch(/dark dialog.*or a single theme/);
  });
});

describe("the theme in the draft and the live preview", () => {
  it("starts light, is saved as chosen, and reaches the preview with the business name", () => {
    const draft = newDraft();
    expect(draft.theme).toBe("light");
    expect(toFields({ ...draft, theme: "auto" }).fields.theme).toBe("auto");
    const config = previewConfig(
      { ...draft, theme: "dark" },
      {
        publicId: null,
        logoUrl: null,
        businessName: "Acme Plumbing",
        openWindows: [],
        fallback: { background: "#1d4ed8", text: "#ffffff" },
        language: "en",
      },
    );
    expect(config).toMatchObject({ theme: "dark", businessName: "Acme Plumbing" });
  });
});
