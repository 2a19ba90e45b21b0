// @vitest-environment happy-dom
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ButtonView, type Draft, draftFromView, newDraft, previewConfig, toFields } from "./draft";
import { LanguageSection } from "./LanguageSection";
import type { ButtonDraft } from "./useButtonDraft";

/** The button's language and its texts per language: in the draft, saved, and in the live preview. */

let root: Root | undefined;
let host: HTMLElement;

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});
afterEach(() => {
  act(() => root?.unmount());
  host?.remove();
});

describe("the language in the draft", () => {
  it("follows the visitor by default, saves only the texts given (trimmed), and reads them back", () => {
    const draft = newDraft();
    expect(draft.language).toBe("auto");
    expect(toFields(draft).fields).toMatchObject({ language: "auto", texts: {} });
    const edited: Draft = {
      ...draft,
      language: "es",
      texts: {
        en: { label: " ", closedMessage: "" },
        es: { label: " Llámenos ", closedMessage: "Vuelva mañana." },
      },
    };
    const { fields } = toFields(edited);
    expect(fields.language).toBe("es");
    expect(fields.texts).toEqual({ es: { label: "Llámenos", closedMessage: "Vuelva mañana." } });
    const view = {
      ...({} as ButtonView),
      ...fields,
      style: fields.style,
      hours: [],
      holidays: [],
      allowedDomains: [],
    };
    const back = draftFromView(view as ButtonView);
    expect(back.language).toBe("es");
    expect(back.texts).toEqual({
      en: { label: "", closedMessage: "" },
      es: { label: "Llámenos", closedMessage: "Vuelva mañana." },
    });
  });

  it("the preview speaks the language its switch shows, with the owner's texts", () => {
    const draft: Draft = {
      ...newDraft(),
      texts: { en: { label: "", closedMessage: "" }, es: { label: "Llámenos", closedMessage: "" } },
    };
    const config = previewConfig(draft, {
      publicId: null,
      logoUrl: null,
      businessName: "Acme",
      openWindows: [],
      fallback: { background: "#1d4ed8", text: "#ffffff" },
      language: "es",
    });
    expect(config).toMatchObject({ language: "es", texts: { es: { label: "Llámenos" } }, label: "Call us" });
  });
});

describe("LanguageSection", () => {
  function render(draft: Draft) {
    const updates: Array<[string, unknown]> = [];
    const form = {
      draft,
      update: (key: string, value: unknown) => updates.push([key, value]),
      errors: { field: () => undefined },
    } as unknown as ButtonDraft;
    host = document.createElement("div");
    document.body.append(host);
    root = createRoot(host);
    act(() => root?.render(<LanguageSection form={form} />));
    return { updates };
  }

  it("offers following the browser or a fixed language, and texts for each language visitors can see", () => {
    const { updates } = render(newDraft());
    const radios = [...host.querySelectorAll<HTMLInputElement>('input[name="language"]')];
    expect(radios.map((r) => r.value)).toEqual(["auto", "en", "es"]);
    expect(radios.find((r) => r.checked)?.value).toBe("auto");
    expect(host.textContent).toContain("Follow the visitor's browser (English or Spanish)");
    const labels = [...host.querySelectorAll("label.ui-label")].map((l) => l.textContent);
    expect(labels).toEqual([
      "Text on the button, in English (optional)",
      "Closed message, in English (optional)",
      "Text on the button, in Spanish (optional)",
      "Closed message, in Spanish (optional)",
    ]);
    const spanishLabel = host.querySelector<HTMLInputElement>('input[lang="es"]') as HTMLInputElement;
    act(() => {
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")?.set;
      setter?.call(spanishLabel, "Llámenos");
      spanishLabel.dispatchEvent(new Event("input", { bubbles: true }));
    });
    expect(updates.at(-1)).toEqual([
      "texts",
      { en: { label: "", closedMessage: "" }, es: { label: "Llámenos", closedMessage: "" } },
    ]);
    act(() => radios[2]?.click());
    expect(updates.at(-1)).toEqual(["language", "es"]);
  });

  it("a fixed language shows only its texts", () => {
    render({ ...newDraft(), language: "es" });
    const labels = [...host.querySelectorAll("label.ui-label")].map((l) => l.textContent);
    expect(labels).toEqual([
      "Text on the button, in Spanish (optional)",
      "Closed message, in Spanish (optional)",
    ]);
  });
});
