// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, type Mock, vi } from "vitest";
import type { PublicButtonConfig } from "../src/types";
import {
  fixtureScriptSrc,
  json,
  MONDAY_8PM_NY,
  MONDAY_10AM_NY,
  makeConfig,
  visitorInNewYork,
} from "./helpers";

type Api = ((...args: unknown[]) => void) & { q?: unknown[][]; v?: number };
const w = window as unknown as { ClickAndCall?: Api };

let warn: Mock;
let fetchMock: Mock;

visitorInNewYork({ beforeAll, afterAll });

beforeEach(() => {
  vi.useFakeTimers({ now: MONDAY_10AM_NY, toFake: ["Date", "setTimeout", "clearTimeout"] });
  vi.resetModules();
  document.body.innerHTML = "";
  delete w.ClickAndCall;
  warn = vi.spyOn(console, "warn").mockImplementation(() => {}) as unknown as Mock;
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

/** Adds the snippet's <script> (inert here) and runs the loader as the browser would. */
async function boot(response: () => Promise<Response>, options: { stub?: unknown[][]; body?: string } = {}) {
  if (options.body) document.body.innerHTML = options.body;
  if (options.stub) {
    const stub: Api = (...args) => {
      stub.q ||= [];
      stub.q.push(args);
    };
    for (const args of options.stub) stub(...args);
    w.ClickAndCall = stub;
  }
  const script = document.createElement("script");
  script.type = "text/plain";
  script.src = fixtureScriptSrc;
  script.dataset.button = "b_test";
  document.body.append(script);
  fetchMock = vi.fn(response);
  vi.stubGlobal("fetch", fetchMock);
  await import("../src/loader");
}

const serve = (config: PublicButtonConfig) => () => Promise.resolve(json(config));
const hostEl = () => document.querySelector("click-and-call") as HTMLElement | null;
const shadow = () => hostEl()?.shadowRoot as ShadowRoot;
const button = () => shadow()?.querySelector("button.b") as HTMLButtonElement;
const dialog = () => shadow()?.querySelector('[role="dialog"]') as HTMLElement | null;
const until = (check: () => unknown) => vi.waitFor(() => expect(check()).toBeTruthy(), { timeout: 2000 });

describe("loader: rendering", () => {
  it("fetches the config once (cacheable) and renders a real button in a shadow root", async () => {
    await boot(serve(makeConfig()));
    await until(button);
    // The config, then whether anyone can answer now (widget.callable): one request each.
    expect(fetchMock).toHaveBeenCalledTimes(2);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(new URL("widget/config/b_test", fixtureScriptSrc).href);
    // No cache override: the HTTP cache serves it under the server's Cache-Control.
    expect(init?.cache).toBeUndefined();
    const callableUrl = new URL(fetchMock.mock.calls[1]?.[0] as string);
    expect(callableUrl.pathname).toBe(new URL("trpc/widget.callable", fixtureScriptSrc).pathname);
    expect(JSON.parse(callableUrl.searchParams.get("input")!)).toEqual({ json: { button: "b_test" } });
    expect(hostEl()?.shadowRoot).toBeTruthy();
    expect(button().tagName).toBe("BUTTON");
    expect(button().type).toBe("button");
    expect(button().textContent).toBe("Call us");
    expect(button().getAttribute("aria-haspopup")).toBe("dialog");
    expect(button().getAttribute("aria-expanded")).toBe("false");
    expect(button().querySelector("svg")?.getAttribute("aria-hidden")).toBe("true");
    const frame = shadow().firstElementChild as HTMLElement;
    expect(frame.className).toBe("f bottom-right medium pill");
    expect(frame.style.getPropertyValue("--b")).toBe("#1d4ed8");
    expect(frame.style.getPropertyValue("--t")).toBe("#ffffff");
    // Nothing but the queue function is added to the page's globals.
    expect(typeof w.ClickAndCall).toBe("function");
  });

  it("keeps motion behind prefers-reduced-motion: no-preference", async () => {
    await boot(serve(makeConfig()));
    await until(button);
    const css = [
      ...shadow().adoptedStyleSheets,
      ...[...shadow().querySelectorAll("style")].map((s) => s.sheet),
    ]
      .flatMap((sheet) => [...(sheet?.cssRules ?? [])])
      .map((rule) => rule.cssText);
    const outside = css.filter((text) => !text.startsWith("@media"));
    expect(outside.join("\n")).not.toMatch(/transition|animation/);
    expect(css.find((text) => text.includes("prefers-reduced-motion"))).toMatch(/transition/);
  });

  it("renders an inline button into [data-clickandcall] and a logo instead of the icon", async () => {
    await boot(
      serve(
        makeConfig({
          style: { ...makeConfig().style, position: "inline", shape: "circle" },
          logoUrl: "https://cdn.cac.test/logos/abc.png",
        }),
      ),
      { body: '<p>Text</p><div data-clickandcall="b_test"></div>' },
    );
    await until(button);
    expect(hostEl()?.parentElement?.getAttribute("data-clickandcall")).toBe("b_test");
    const img = button().querySelector("img");
    expect(img?.getAttribute("src")).toBe("https://cdn.cac.test/logos/abc.png");
    expect(img?.getAttribute("alt")).toBe("");
    // Circle buttons keep the label as the accessible name and as a tooltip.
    expect(button().textContent).toBe("Call us");
    expect(button().title).toBe("Call us");
  });
});

describe("loader: queue API", () => {
  it("replays calls made before it loaded, then keeps the same signature", async () => {
    const events: unknown[] = [];
    await boot(serve(makeConfig()), {
      stub: [["on", "ready", (detail: unknown) => events.push(["ready", detail])], ["open"]],
    });
    await until(() => dialog() && !dialog()?.hidden);
    expect(events).toEqual([["ready", { open: true }]]);
    expect(w.ClickAndCall?.v).toBe(1);
    // A late "ready" listener is called at once.
    w.ClickAndCall?.("on", "ready", () => events.push("late"));
    expect(events).toContain("late");
    w.ClickAndCall?.("close");
    await until(() => dialog()?.hidden);
    expect(button().getAttribute("aria-expanded")).toBe("false");
    w.ClickAndCall?.("open");
    await until(() => !dialog()?.hidden);
    expect(button().getAttribute("aria-expanded")).toBe("true");
  });

  it("queues open/close given after it loaded but before the config arrived", async () => {
    let answer: (r: Response) => void = () => {};
    await boot(() => new Promise<Response>((resolve) => (answer = resolve)));
    w.ClickAndCall?.("open");
    expect(hostEl()).toBeNull();
    answer(json(makeConfig()));
    await until(() => dialog() && !dialog()?.hidden);
  });

  it("does not install twice when the snippet is pasted twice", async () => {
    await boot(serve(makeConfig()));
    await until(button);
    const api = w.ClickAndCall;
    vi.resetModules();
    await import("../src/loader");
    expect(w.ClickAndCall).toBe(api);
    expect(document.querySelectorAll("click-and-call")).toHaveLength(1);
  });
});

describe("loader: refusals", () => {
  it("403: renders nothing and warns once, naming the domain to add", async () => {
    await boot(() => Promise.resolve(json({ error: "not allowed", allowedHint: "Add localhost" }, 403)), {
      stub: [["open"]],
    });
    await until(() => warn.mock.calls.length);
    w.ClickAndCall?.("open");
    await vi.advanceTimersByTimeAsync(100);
    expect(hostEl()).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toBe(
      `Click & Call: this button is not allowed on "${location.hostname}". Add it to the button's allowed domains in the portal.`,
    );
  });

  it("403 for a button in test mode: renders nothing and passes on the server's reason", async () => {
    const error = "This call button is in test mode until its owner confirms their email address.";
    await boot(() => Promise.resolve(json({ error, host: location.hostname, reason: "unverified" }, 403)));
    await until(() => warn.mock.calls.length);
    await vi.advanceTimersByTimeAsync(100);
    expect(hostEl()).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toBe(`Click & Call: ${error}`);
  });

  it("404: renders nothing and warns once", async () => {
    await boot(() => Promise.resolve(json({ error: "not found" }, 404)));
    await until(() => warn.mock.calls.length);
    await vi.advanceTimersByTimeAsync(100);
    expect(hostEl()).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/"b_test" was not found or is disabled/);
  });

  it("network error: renders nothing and warns once", async () => {
    await boot(() => Promise.reject(new TypeError("Failed to fetch")));
    await until(() => warn.mock.calls.length);
    await vi.advanceTimersByTimeAsync(100);
    expect(hostEl()).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(/could not load button "b_test".*Failed to fetch/);
  });
});

/** The config, and widget.callable's answer (tRPC's envelope) for the button. */
const serveCallable = (config: PublicButtonConfig, callable: boolean) => (url: string) =>
  Promise.resolve(
    url.includes("/trpc/widget.callable") ? json({ result: { data: { json: { callable } } } }) : json(config),
  );

describe("loader: nobody can answer now (widget.callable says no)", () => {
  it("callback: the open dialog leads with the callback form, with no Call now", async () => {
    await boot(serveCallable(makeConfig({ closedBehavior: "callback" }), false) as () => Promise<Response>);
    await until(button);
    button().click();
    await until(() => dialog()?.querySelector("form"));
    expect(dialog()?.textContent).toContain("No one can take a call right now.");
    expect(dialog()?.querySelector('input[name="phone"]')).not.toBeNull();
    expect([...(dialog()?.querySelectorAll("button") ?? [])].map((b) => b.textContent)).not.toContain(
      "Call now",
    );
  });

  it("message: the dialog says so, offers no call, and offers the callback form (no dead end)", async () => {
    await boot(serveCallable(makeConfig({ closedBehavior: "message" }), false) as () => Promise<Response>);
    await until(button);
    button().click();
    await until(() => dialog()?.textContent?.includes("No one can take a call right now."));
    expect(dialog()?.textContent).not.toContain("Call now");
    expect(dialog()?.querySelector("form")).not.toBeNull();
  });

  it("hide: only hours hide the button; with nobody to answer, its dialog leads with the callback form", async () => {
    await boot(serveCallable(makeConfig({ closedBehavior: "hide" }), false) as () => Promise<Response>);
    await until(button);
    button().click();
    await until(() => dialog()?.querySelector("form"));
    expect((shadow().querySelector(".w") as HTMLElement).hidden).toBe(false);
    expect(dialog()?.textContent).toContain("No one can take a call right now.");
    expect(dialog()?.textContent).not.toContain("Call now");
  });

  it("a yes keeps Call now", async () => {
    await boot(serveCallable(makeConfig({ closedBehavior: "callback" }), true) as () => Promise<Response>);
    await until(button);
    button().click();
    await until(() => dialog() && !dialog()?.hidden);
    await until(() => dialog()?.textContent?.includes("Call now"));
    expect(dialog()?.textContent).not.toContain("No one can take a call right now.");
  });
});

describe("loader: hours and closed behaviour", () => {
  it("hide: renders no visible button while closed, and open() does nothing", async () => {
    vi.setSystemTime(MONDAY_8PM_NY);
    await boot(serve(makeConfig({ closedBehavior: "hide" })));
    await until(button);
    expect((shadow().querySelector(".w") as HTMLElement).hidden).toBe(true);
    w.ClickAndCall?.("open");
    await vi.advanceTimersByTimeAsync(100);
    expect(dialog()).toBeNull();
  });

  it("message: the button and the dialog show when it opens again", async () => {
    vi.setSystemTime(MONDAY_8PM_NY);
    await boot(serve(makeConfig({ closedBehavior: "message" })));
    await until(button);
    expect(button().textContent).toBe("Call usClosed — back tomorrow 9:00 AM");
    button().click();
    await until(() => dialog() && !dialog()?.hidden);
    expect(dialog()?.textContent).toContain("Closed — back tomorrow 9:00 AM");
    expect(dialog()?.querySelector("form")).toBeNull();
  });

  it("callback: the dialog offers the callback form", async () => {
    vi.setSystemTime(MONDAY_8PM_NY);
    await boot(serve(makeConfig({ closedBehavior: "callback" })));
    await until(button);
    expect(button().textContent).toBe("Call usClosed — request a callback");
    button().click();
    await until(() => dialog()?.querySelector("form"));
    expect(dialog()?.textContent).toContain("Closed — back tomorrow 9:00 AM");
    expect(dialog()?.querySelector('input[name="phone"]')).not.toBeNull();
  });

  it("re-evaluates when a window boundary passes", async () => {
    vi.setSystemTime(Date.parse("2026-03-02T21:55:00Z")); // 4:55 PM, closes at 5
    await boot(serve(makeConfig({ closedBehavior: "hide" })));
    await until(button);
    const wrap = shadow().querySelector(".w") as HTMLElement;
    expect(wrap.hidden).toBe(false);
    await vi.advanceTimersByTimeAsync(5 * 60_000 + 100);
    expect(wrap.hidden).toBe(true);
    // Tuesday 9:00 AM it comes back.
    await vi.advanceTimersByTimeAsync(16 * 60 * 60_000);
    expect(wrap.hidden).toBe(false);
  });
});

describe("loader: preview mode", () => {
  it("renders into the target without fetching, re-renders on each call, and unmounts on null", async () => {
    await boot(() => Promise.reject(new Error("no config for this page")));
    fetchMock.mockClear();
    const target = document.createElement("div");
    document.body.append(target);
    w.ClickAndCall?.("preview", { target, config: makeConfig({ label: "Talk to us" }) });
    const host = target.querySelector("click-and-call") as HTMLElement;
    const b = () => host.shadowRoot?.querySelector("button.b") as HTMLButtonElement;
    expect(b().textContent).toBe("Talk to us");
    expect(host.classList.contains("pv")).toBe(true);
    w.ClickAndCall?.("preview", {
      target,
      config: makeConfig({ label: "Ring us", closedBehavior: "message" }),
      now: MONDAY_8PM_NY,
    });
    expect(target.querySelectorAll("click-and-call")).toHaveLength(1);
    // A closed line needs the language chunk, loaded once, then the button re-renders.
    await vi.waitFor(() => expect(b().textContent).toBe("Ring usClosed — back tomorrow 9:00 AM"));
    w.ClickAndCall?.("preview", {
      target,
      config: makeConfig({ closedBehavior: "hide" }),
      now: MONDAY_8PM_NY,
    });
    expect((host.shadowRoot!.querySelector(".w") as HTMLElement).hidden).toBe(true);
    w.ClickAndCall?.("preview", { target, config: null });
    expect(target.querySelector("click-and-call")).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("opens the dialog on click; the form says requests are not sent and sends nothing", async () => {
    await boot(() => Promise.reject(new Error("no config for this page")));
    fetchMock.mockClear();
    const target = document.createElement("div");
    document.body.append(target);
    w.ClickAndCall?.("preview", {
      target,
      config: makeConfig({ closedBehavior: "callback" }),
      now: MONDAY_8PM_NY,
    });
    const root = target.querySelector("click-and-call")?.shadowRoot as ShadowRoot;
    (root.querySelector("button.b") as HTMLButtonElement).click();
    await until(() => root.querySelector("form"));
    (root.querySelector('input[name="name"]') as HTMLInputElement).value = "Val";
    (root.querySelector('input[name="phone"]') as HTMLInputElement).value = "(202) 555-0188";
    (root.querySelector("form") as HTMLFormElement).requestSubmit();
    await until(() => root.textContent?.includes("Preview: requests are not sent."));
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe("loader: language", () => {
  /** The visitor's browser languages, as navigator.languages reports them. */
  function browser(...languages: string[]) {
    vi.spyOn(navigator, "languages", "get").mockReturnValue(languages);
  }
  const texts = {
    en: { label: "Call us now" },
    es: { label: "Llámenos", closedMessage: "Para emergencias: 555-0100." },
  };

  it("auto: a Spanish browser gets the owner's Spanish text and a Spanish closed line and dialog", async () => {
    browser("es-US", "es", "en");
    vi.setSystemTime(MONDAY_8PM_NY);
    await boot(serve(makeConfig({ closedBehavior: "message", language: "auto", texts })));
    await until(button);
    expect(button().textContent).toBe("LlámenosCerrado — abrimos mañana, 9:00 AM");
    button().click();
    await until(() => dialog() && !dialog()?.hidden);
    expect(dialog()?.textContent).toContain("Cerrado — abrimos mañana, 9:00 AM");
    expect(dialog()?.textContent).toContain("Para emergencias: 555-0100.");
    expect(dialog()?.getAttribute("lang")).toBe("es-US");
    expect(shadow().querySelector('button[aria-label="Cerrar"]')).not.toBeNull();
  });

  it("auto: the first browser language the widget speaks wins; none spoken falls back to English", async () => {
    browser("fr-CA", "es-MX", "en-US");
    await boot(serve(makeConfig({ closedBehavior: "callback", texts })));
    await until(button);
    expect(button().textContent).toBe("Llámenos");
    button().click();
    await until(() => dialog() && !dialog()?.hidden);
    expect(dialog()?.textContent).toContain("Llamar ahora");

    vi.resetModules();
    document.body.innerHTML = "";
    delete w.ClickAndCall;
    browser("fr-FR", "de");
    vi.setSystemTime(MONDAY_8PM_NY);
    await boot(serve(makeConfig({ closedBehavior: "callback", texts })));
    await until(button);
    expect(button().textContent).toBe("Call us nowClosed — request a callback");
  });

  it("a fixed language overrides the browser: English under es-US, Spanish under en-US", async () => {
    browser("es-US", "es");
    vi.setSystemTime(MONDAY_8PM_NY);
    await boot(serve(makeConfig({ closedBehavior: "callback", language: "en" })));
    await until(button);
    expect(button().textContent).toBe("Call usClosed — request a callback");

    vi.resetModules();
    document.body.innerHTML = "";
    delete w.ClickAndCall;
    browser("en-US", "en");
    await boot(serve(makeConfig({ closedBehavior: "callback", language: "es" })));
    await until(button);
    // No Spanish text of the owner's: the button's label, with the widget's Spanish words.
    expect(button().textContent).toBe("Call usCerrado — pida que le llamemos");
    button().click();
    await until(() => dialog()?.querySelector("form"));
    expect(dialog()?.textContent).toContain("Déjenos su número y le llamaremos cuando abramos.");
    expect(dialog()?.querySelector('label[for="cac-phone"]')?.textContent).toBe("Número de teléfono");
  });

  it("preview: switching the config's language re-renders the button and the open dialog", async () => {
    browser("en-US");
    await boot(() => Promise.reject(new Error("no config for this page")));
    const target = document.createElement("div");
    document.body.append(target);
    const config = makeConfig({ closedBehavior: "callback", texts });
    w.ClickAndCall?.("preview", { target, config: { ...config, language: "en" }, now: MONDAY_8PM_NY });
    const root = target.querySelector("click-and-call")?.shadowRoot as ShadowRoot;
    const b = () => root.querySelector("button.b") as HTMLButtonElement;
    await vi.waitFor(() => expect(b().textContent).toBe("Call us nowClosed — request a callback"));
    b().click();
    await until(() => root.querySelector("form"));
    w.ClickAndCall?.("preview", { target, config: { ...config, language: "es" }, now: MONDAY_8PM_NY });
    await vi.waitFor(() => expect(b().textContent).toBe("LlámenosCerrado — pida que le llamemos"));
    await vi.waitFor(() => expect(root.querySelector("form")?.textContent).toContain("Número de teléfono"));
    expect(root.getElementById("cac-sub")?.textContent).toBe("Llámenos");
  });
});
