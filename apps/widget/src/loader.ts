/**
 * The widget loader (dist/widget.js, a classic script, at most 3 KB gzipped).
 *
 * `<script src="https://HOST/widget.js" data-button="PUBLIC_ID" async></script>` fetches the
 * button's public config, renders the button in a shadow root, applies the hours, and loads the
 * call UI chunk (widget-call.js) on the first hover, focus or click. `window.ClickAndCall` is the
 * command queue: open, close, on(event, fn), and preview for the portal.
 */
import { hoursStatus } from "./hours";
import { icons } from "./icons";
import type { CallUi, CallUiModule, PublicButtonConfig, WidgetContext, WidgetEvent, Words } from "./types";

/** The languages that have a chunk (src/i18n/<code>.ts), listed by the build. */
declare const __WIDGET_LANGUAGES__: string[];

type Api = ((...args: unknown[]) => void) & { q?: ArrayLike<unknown>[]; v?: number };
type PreviewOptions = { target: HTMLElement; config: PublicButtonConfig | null; now?: number };

/** One mounted button; it is also the context handed to the call UI chunk. */
type Instance = Omit<WidgetContext, "w"> & {
  /** The language chunk in use; none until a closed line or the dialog needed words. */
  w?: Words;
  host: HTMLElement;
  wrap: HTMLElement;
  now?: number;
  timer?: ReturnType<typeof setTimeout>;
  ui?: Promise<CallUi>;
  load: () => Promise<CallUi>;
  visible?: boolean;
};

const win = window as unknown as { ClickAndCall?: Api };
const doc = document;
const listeners: Record<string, ((detail?: unknown) => void)[]> = {};
const previews = new Map<HTMLElement, Instance>();
let main: Instance | undefined;
/** open/close commands given before the config arrived, replayed once the button is mounted. */
let pending: unknown[][] = [];

const script = (doc.currentScript ||
  doc.querySelector('script[data-button][src*="/widget.js"]')) as HTMLScriptElement | null;
const base = script ? new URL(".", script.src).href : "/";

const noop = () => {};
/** Language chunks loaded so far, by code. */
const said: Record<string, Words> = {};
const say = (lang: string) =>
  (import(`${base}widget-${lang}.js`) as Promise<Words>).then((w) => (said[lang] = w));
/** The button's fixed language, else the visitor's first one the widget speaks, else English. */
const langOf = (cfg: PublicButtonConfig) =>
  [cfg.language as string, ...navigator.languages.map((l) => l.split("-")[0] as string), "en"].find((l) =>
    __WIDGET_LANGUAGES__.includes(l),
  ) as string;
const warn = (message: string) => console.warn(`Click & Call: ${message}`);

const css =
  // :host resets inherited page styles; nothing inside is reachable by the page's CSS.
  ":host{all:initial}:host(.pv){display:block;position:relative;height:100%}" +
  // Page rules on the host element (`* {letter-spacing: 3px}`) would still be inherited: reset again.
  ".f{all:initial;font:500 16px/1.2 system-ui,sans-serif}" +
  ".w{position:fixed;z-index:2147483000;bottom:20px;right:20px}" +
  ".bottom-left .w{right:auto;left:20px}.inline .w{position:static;display:inline-block}:host(.pv) .f:not(.inline) .w{position:absolute}" +
  ".b{all:unset;display:inline-flex;align-items:center;gap:.5em;cursor:pointer;background:var(--b);color:var(--t);" +
  "padding:.75em 1.25em;border-radius:2em;box-shadow:0 4px 14px #0004}" +
  ".b:focus-visible{outline:3px solid var(--b);outline-offset:3px;box-shadow:0 0 0 3px #fff}" +
  ".small{font-size:14px}.large{font-size:19px}.rounded .b{border-radius:.6em}.square .b{border-radius:2px}" +
  ".circle .b{border-radius:50%;padding:.9em}.circle .l{position:absolute;clip-path:inset(50%)}" +
  ".b svg,.b img{width:1.3em;height:1.3em;fill:currentColor;object-fit:contain}" +
  ".l{display:grid;gap:.2em}.c{font-size:.75em;font-weight:400}" +
  // Motion only for visitors who have not asked to reduce it.
  "@media (prefers-reduced-motion:no-preference){.b{transition:transform .15s}.b:hover{transform:translateY(-2px)}}";

function emit(event: WidgetEvent, detail?: unknown) {
  for (const fn of listeners[event] || []) {
    try {
      fn(detail);
    } catch (error) {
      console.error(error);
    }
  }
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string) => {
  const e = doc.createElement(tag);
  if (cls) e.className = cls;
  return e;
};

function mount(cfg: PublicButtonConfig, parent: HTMLElement, preview: boolean): Instance {
  const host = el("click-and-call" as "div", preview ? "pv" : "");
  const root = host.attachShadow({ mode: "open" });
  const frame = el("div");
  const wrap = el("div", "w");
  const button = el("button", "b");
  button.type = "button";
  button.setAttribute("aria-haspopup", "dialog");
  button.setAttribute("aria-expanded", "false");
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } catch {
    // No constructable stylesheets: an inline <style> (may be blocked by a strict CSP).
    const style = el("style");
    style.textContent = css;
    root.append(style);
  }
  wrap.append(button);
  frame.append(wrap);
  root.append(frame);
  parent.append(host);
  const inst: Instance = {
    cfg,
    host,
    frame,
    wrap,
    button,
    preview,
    emit,
    status: () => status(inst),
    load: () =>
      (inst.ui ||= Promise.all([
        import(`${base}widget-call.js`) as Promise<CallUiModule>,
        say(langOf(inst.cfg)),
      ]).then(
        ([m, w]) => {
          inst.w = w;
          return m.mount(inst as WidgetContext);
        },
        (error) => {
          inst.ui = undefined;
          warn(`could not load ${base}widget-call.js (${error}).`);
          throw error;
        },
      )),
  };
  button.onpointerenter = button.onfocus = () => inst.load().catch(noop);
  button.onclick = () => open(inst, button);
  return inst;
}

function status(inst: Instance) {
  const now = inst.now ?? Date.now();
  const s = hoursStatus(inst.cfg.openWindows || [], now);
  return { ...s, text: inst.w?.closed(s.next, now) || "" };
}

function render(inst: Instance) {
  const { cfg, button, wrap, frame } = inst;
  const { style } = cfg;
  const lang = langOf(cfg);
  const w = said[lang];
  // Words are needed for a closed line and by the dialog; a language is loaded once, then re-rendered.
  if (w) inst.w = w;
  const s = status(inst);
  const closed = !s.open;
  frame.className = `f ${style.position} ${style.size} ${style.shape}`;
  // Colors are validated hex values; they only reach this element's custom properties.
  frame.style.cssText = `--b:${style.background};--t:${style.text}`;
  // Only hours hide the button: with nobody to answer now, its dialog offers the callback form.
  // biome-ignore lint/suspicious/noAssignInExpressions: bytes count in the 3 KB loader.
  wrap.hidden = !(inst.visible = !closed || cfg.closedBehavior !== "hide");
  if (!w && (closed || inst.ui)) say(lang).then(() => render(inst), noop);

  const icon = cfg.logoUrl ? el("img") : icons[style.icon || "phone"];
  if (typeof icon === "string") {
    button.innerHTML = `<svg viewBox="0 0 24 24" aria-hidden="true"><path d="${icon}"/></svg>`;
  } else {
    button.textContent = "";
    if (icon) {
      icon.alt = "";
      icon.src = new URL(cfg.logoUrl as string, base).href;
      button.append(icon);
    }
  }
  const label = el("span", "l");
  // The owner's text in this language, else the button's label.
  label.append(cfg.texts?.[lang as "en"]?.label || cfg.label);
  if (closed) {
    label.append(el("span", "c"));
    (label.lastChild as HTMLElement).textContent =
      // Nothing yet while the words load (undefined sets no text).
      (cfg.closedBehavior === "callback" ? inst.w?.t.closed.callback : s.text) as string;
  }
  button.append(label);
  button.title = style.shape === "circle" ? (label.textContent as string) : "";

  clearTimeout(inst.timer);
  if (inst.now === undefined && s.boundary !== null) {
    // Re-evaluate just after the next opening or closing (capped at the setTimeout maximum).
    inst.timer = setTimeout(() => render(inst), Math.min(s.boundary - Date.now() + 50, 2e9));
  }
  inst.ui?.then((ui) => ui.update());
}

function open(inst: Instance | undefined, from?: HTMLElement) {
  if (inst?.visible) inst.load().then((ui) => ui.open(from), noop);
}

function run(args: ArrayLike<unknown>) {
  const [cmd, a, b] = args as unknown as [string, unknown, unknown];
  if (cmd === "on" && typeof b === "function") {
    // Mounted: "ready" was emitted already, and is not again.
    if (a === "ready" && main) b();
    // biome-ignore lint/suspicious/noAssignInExpressions: bytes count in the 3 KB loader.
    else (listeners[a as string] ||= []).push(b as () => void);
  } else if (cmd === "preview") {
    const { target, config, now } = a as PreviewOptions;
    let inst = previews.get(target);
    if (!config) {
      clearTimeout(inst?.timer);
      inst?.host.remove();
      previews.delete(target);
      return;
    }
    if (!inst) {
      inst = mount(config, target, true);
      previews.set(target, inst);
    }
    inst.cfg = config;
    inst.now = now;
    render(inst);
  } else if (!main) {
    pending.push([cmd]);
  } else if (cmd === "open") {
    open(main);
  } else if (cmd === "close") {
    main.ui?.then((ui) => ui.close());
  }
}

function start(id: string) {
  const host = location.hostname;
  fetch(`${base}widget/config/${encodeURIComponent(id)}`)
    .then(async (res) => {
      if (res.status === 403) {
        // A button of an unconfirmed account is in test mode: the server says so (`reason`).
        const body = await res.json().catch(noop);
        return warn(
          body?.reason
            ? body.error
            : `this button is not allowed on "${host}". Add it to the button's allowed domains in the portal.`,
        );
      }
      if (res.status === 404) {
        return warn(`button "${id}" was not found or is disabled.`);
      }
      if (!res.ok) throw res.status;
      const cfg = (await res.json()) as PublicButtonConfig;
      // A closed button shows its closed line from the start: its words come first.
      if (!hoursStatus(cfg.openWindows || [], Date.now()).open) await say(langOf(cfg)).catch(noop);
      // The visit's landing referrer and query, kept for the tab (the first landing wins); the call
      // chunk reads the campaign parameters from it. Storage may be blocked: then nothing is kept.
      try {
        if (cfg.collectContext) sessionStorage.cc ||= `${doc.referrer} ${location.search}`;
      } catch {}
      if (doc.readyState === "loading") await new Promise((r) => doc.addEventListener("DOMContentLoaded", r));
      const inline = cfg.style.position === "inline";
      const parent = inline
        ? doc.querySelector<HTMLElement>(`[data-clickandcall="${CSS.escape(id)}"]`) ||
          doc.querySelector<HTMLElement>("[data-clickandcall]")
        : doc.body;
      if (!parent) return warn("add <div data-clickandcall></div> where the inline button goes.");
      const inst = mount(cfg, parent, false);
      main = inst;
      // Whether anyone can answer now, asked before a call is offered (and by the call UI on open).
      inst.check = () =>
        fetch(`${base}trpc/widget.callable?input=${encodeURIComponent(`{"json":{"button":"${id}"}}`)}`)
          .then((res) => res.json())
          .then((body) => {
            inst.busy = body.result?.data.json.callable === false;
            render(inst);
          }, noop);
      inst.check();
      render(inst);
      for (const args of pending) run(args);
      pending = [];
      emit("ready", { open: status(main).open });
    })
    .catch((error) => warn(`could not load button "${id}" (${error}). Is "${host}" in its allowed domains?`));
}

if (!win.ClickAndCall?.v) {
  const queued = win.ClickAndCall?.q || [];
  const api: Api = (...args) => run(args);
  api.v = 1;
  win.ClickAndCall = api;
  for (const args of queued as ArrayLike<unknown>[] & unknown[]) run(args);
  const id = script?.dataset.button;
  if (id) start(id);
}
