/**
 * The dialog's frame, whatever its state: a labelled modal (`role="dialog"`, `aria-modal`,
 * `aria-labelledby` its header) whose header says whose line it is (logo, business name, the
 * button's label) with a close button, the body the states render into, the box for Turnstile's
 * challenge, and a polite live region. Escape closes it; Tab and Shift+Tab stay inside.
 */
import { labelOf } from "../i18n/own-texts";
import type { WidgetContext } from "../types";
import { h } from "./dom";
import { css } from "./styles";

// iframe: an interactive Turnstile challenge must be reachable with Tab.
const focusable =
  "button:not([disabled]),input,textarea,select,a[href],iframe,[tabindex]:not([tabindex='-1'])";

export type Shell = {
  dialog: HTMLElement;
  /** Header, theme and words from the config and language (they change in the portal's preview). */
  head(ctx: Pick<WidgetContext, "cfg" | "w">): void;
  body: HTMLElement;
  captchaBox: HTMLElement;
  live: HTMLElement;
  /** Focuses the body's `data-focus` element, else its first focusable one, else the close button. */
  focusFirst(): void;
  /** Keeps a corner dialog just above the button, whatever the button's size. */
  place(): void;
};

export function shell(frame: HTMLElement, button: HTMLElement, preview: boolean, onClose: () => void): Shell {
  const root = frame.getRootNode() as ShadowRoot;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    root.append(h("style", {}, css));
  }

  const title = h("h2", { id: "cac-title" });
  const sub = h("p", { id: "cac-sub" });
  // Decorative: the business name next to it says the same.
  const logo = h("img", { alt: "", hidden: true }) as HTMLImageElement;
  const live = h("p", { class: "sr", "aria-live": "polite" });
  const body = h("div", { class: "bd" });
  // Outside `body`, which is re-rendered: Turnstile's frame must survive state changes.
  const captchaBox = h("div", { class: "cf", hidden: true });
  const close = h("button", { type: "button", class: "x", onclick: onClose }, "×");
  const dialog = h(
    "div",
    {
      class: "d",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": "cac-title cac-sub",
      hidden: true,
      onkeydown: (event) => onKey(event as KeyboardEvent),
    },
    h("div", { class: "hd" }, logo, h("div", { class: "ht" }, title, sub), close),
    body,
    captchaBox,
    live,
  );
  frame.append(dialog);

  function onKey(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.stopPropagation();
      onClose();
    } else if (event.key === "Tab") {
      const items = [...dialog.querySelectorAll<HTMLElement>(focusable)].filter(
        (e) => e.offsetParent !== null,
      );
      const first = items[0];
      const last = items[items.length - 1];
      const active = root.activeElement;
      if (!first || !last) return;
      if (event.shiftKey && (active === first || !dialog.contains(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !dialog.contains(active))) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  return {
    dialog,
    head(ctx) {
      const {
        cfg,
        w: { t },
      } = ctx;
      const label = labelOf(ctx);
      title.textContent = cfg.businessName || label;
      sub.textContent = label;
      close.setAttribute("aria-label", t.common.close);
      captchaBox.setAttribute("aria-label", t.common.verification);
      dialog.lang = t.locale;
      const src = cfg.logoUrl ? new URL(cfg.logoUrl, cfg.apiOrigin).href : "";
      if (!src) logo.removeAttribute("src");
      else if (logo.getAttribute("src") !== src) logo.src = src;
      logo.hidden = !src;
      // Older configs (a cached copy) have no theme: light, as before.
      dialog.className = `d ${cfg.theme || "light"}`;
    },
    body,
    captchaBox,
    live,
    focusFirst() {
      const target =
        body.querySelector<HTMLElement>("[data-focus]") ??
        body.querySelector<HTMLElement>(focusable) ??
        dialog.querySelector<HTMLElement>(".x");
      target?.focus();
    },
    place() {
      const ref = preview ? (root.host as HTMLElement).getBoundingClientRect().bottom : window.innerHeight;
      const offset = Math.round(ref - button.getBoundingClientRect().top + 12);
      dialog.style.setProperty("--o", `${Math.max(offset, 16)}px`);
    },
  };
}
