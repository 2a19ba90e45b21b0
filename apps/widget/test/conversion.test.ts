// @vitest-environment happy-dom
/**
 * Conversion events: pushed to the page's `window.dataLayer` (Google Tag Manager) and emitted to
 * `ClickAndCall("on", …)` listeners, only for a button whose owner opted in.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { mount } from "../src/call-ui";
import { hoursStatus } from "../src/hours";
import type { CallContext, CallSession } from "../src/transport";
import type { PublicButtonConfig, WidgetContext } from "../src/types";
import { fixtureScriptSrc, json, MONDAY_10AM_NY, makeConfig, visitorInNewYork, words } from "./helpers";

type Page = Window & { dataLayer?: unknown; ClickAndCall?: ((...args: unknown[]) => void) & { v?: number } };
const page = window as unknown as Page;
const CALL_ID = "6f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f60";

let ctx: WidgetContext;
let root: ShadowRoot;
let emitted: unknown[][];
let call: CallContext | undefined;
let session: CallSession;

visitorInNewYork({ beforeAll, afterAll });

beforeEach(() => {
  vi.useFakeTimers({ now: MONDAY_10AM_NY, toFake: ["Date"] });
  delete page.dataLayer;
  Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
  Object.defineProperty(navigator, "mediaDevices", { value: {}, configurable: true });
  Object.defineProperty(navigator, "onLine", { value: true, configurable: true });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  delete page.dataLayer;
});

/** The call UI as the loader mounts it, with a transport that the test drives. */
function setup(config: PublicButtonConfig, preview = false) {
  document.body.innerHTML = "";
  const host = document.createElement("div");
  document.body.append(host);
  root = host.attachShadow({ mode: "open" });
  const frame = document.createElement("div");
  const button = document.createElement("button");
  frame.append(button);
  root.append(frame);
  emitted = [];
  call = undefined;
  session = { hangup: vi.fn(), mute: vi.fn(), dtmf: vi.fn() };
  ctx = {
    cfg: config,
    frame,
    button,
    preview,
    w: words(),
    status: () => {
      const s = hoursStatus(ctx.cfg.openWindows, Date.now());
      return { ...s, text: ctx.w.closed(s.next, Date.now()) };
    },
    emit: (...args) => emitted.push(args),
  };
  const ui = mount(ctx, (c) => {
    call = c;
    return session;
  });
  ui.open(button);
  return ui;
}

const byText = (text: string) =>
  [...root.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent === text);
const field = (name: string) => root.querySelector(`[name="${name}"]`) as HTMLInputElement;
const until = (check: () => unknown) => vi.waitFor(() => expect(check()).toBeTruthy(), { timeout: 2000 });

/** Presses "Call now" (or "Call again") and runs the call through the server's acceptance, the ring and the answer. */
function answeredCall(id = CALL_ID, press = "Call now") {
  const button = byText(press);
  expect(button).toBeDefined();
  button?.click();
  call?.report({ t: "permitted" });
  call?.report({ t: "started", id });
  call?.report({ t: "ringing" });
  call?.report({ t: "answered" });
}

function requestCallback(answer: Response) {
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => answer),
  );
  field("name").value = "Val Visitor";
  field("phone").value = "(202) 555-0188";
  field("message").value = "About a leak";
  (root.querySelector("form") as HTMLFormElement).requestSubmit();
}

const accepted = () => json({ result: { data: { json: { ok: true } } } });
const conversions = () => emitted.filter(([event]) => String(event).startsWith("clickandcall_"));

describe("a button with conversion events on", () => {
  it("pushes call_started when calls.start is accepted, then call_answered when the call connects", () => {
    setup(makeConfig({ conversionEvents: true }));
    byText("Call now")?.click();
    call?.report({ t: "permitted" });
    // Pressing the button is not a conversion yet: the server has not taken the call.
    expect(page.dataLayer).toBeUndefined();
    call?.report({ t: "started", id: CALL_ID });
    expect(page.dataLayer).toEqual([
      { event: "clickandcall_call_started", clickandcall: { buttonId: "b_test", callId: CALL_ID } },
    ]);
    call?.report({ t: "ringing" });
    expect(page.dataLayer).toHaveLength(1);
    call?.report({ t: "answered" });
    // A repeated notice (after a reconnect) changes nothing.
    call?.report({ t: "answered" });
    byText("Hang up")?.click();
    expect(page.dataLayer).toEqual([
      { event: "clickandcall_call_started", clickandcall: { buttonId: "b_test", callId: CALL_ID } },
      { event: "clickandcall_call_answered", clickandcall: { buttonId: "b_test", callId: CALL_ID } },
    ]);
    // The same events, with the same detail, reach ClickAndCall("on", …) listeners; the events
    // every button emits are still there.
    expect(emitted.map(([event]) => event)).toEqual([
      "call-start",
      "clickandcall_call_started",
      "clickandcall_call_answered",
      "call-end",
    ]);
    expect(conversions()).toEqual([
      ["clickandcall_call_started", { buttonId: "b_test", callId: CALL_ID }],
      ["clickandcall_call_answered", { buttonId: "b_test", callId: CALL_ID }],
    ]);
  });

  it("appends to the page's existing dataLayer, and each call carries its own id", () => {
    const existing = [{ "gtm.start": 1 }, { event: "gtm.js" }];
    page.dataLayer = existing;
    setup(makeConfig({ conversionEvents: true }));
    answeredCall("11111111-1111-4111-8111-111111111111");
    byText("Hang up")?.click();
    answeredCall("22222222-2222-4222-8222-222222222222", "Call again");
    expect(page.dataLayer).toBe(existing);
    expect(existing.slice(2)).toEqual([
      {
        event: "clickandcall_call_started",
        clickandcall: { buttonId: "b_test", callId: "11111111-1111-4111-8111-111111111111" },
      },
      {
        event: "clickandcall_call_answered",
        clickandcall: { buttonId: "b_test", callId: "11111111-1111-4111-8111-111111111111" },
      },
      {
        event: "clickandcall_call_started",
        clickandcall: { buttonId: "b_test", callId: "22222222-2222-4222-8222-222222222222" },
      },
      {
        event: "clickandcall_call_answered",
        clickandcall: { buttonId: "b_test", callId: "22222222-2222-4222-8222-222222222222" },
      },
    ]);
  });

  it("a call that fails before anyone answers pushes call_started only", () => {
    setup(makeConfig({ conversionEvents: true }));
    byText("Call now")?.click();
    call?.report({ t: "permitted" });
    call?.report({ t: "started", id: CALL_ID });
    call?.report({ t: "ringing" });
    call?.report({ t: "fail", cause: "no-answer" });
    expect((page.dataLayer as { event: string }[]).map((e) => e.event)).toEqual([
      "clickandcall_call_started",
    ]);
  });

  it("pushes callback_requested when the request is accepted, with no visitor data", async () => {
    setup(makeConfig({ conversionEvents: true }));
    byText("Request a callback")?.click();
    requestCallback(accepted());
    await until(() => root.textContent?.includes("Thanks — we'll call you back."));
    expect(page.dataLayer).toEqual([
      { event: "clickandcall_callback_requested", clickandcall: { buttonId: "b_test" } },
    ]);
    expect(conversions()).toEqual([["clickandcall_callback_requested", { buttonId: "b_test" }]]);
    expect(JSON.stringify(page.dataLayer)).not.toMatch(/Val|555|leak/);
  });

  it("pushes nothing for a refused callback request", async () => {
    setup(makeConfig({ conversionEvents: true }));
    byText("Request a callback")?.click();
    requestCallback(
      json({ error: { json: { message: "Too many requests.", code: -32600, data: { appCode: "X" } } } }, 429),
    );
    await until(() => root.textContent?.includes("Too many requests."));
    expect(page.dataLayer).toBeUndefined();
    expect(conversions()).toEqual([]);
  });

  it("a page whose dataLayer is not an array still gets its call, and listeners still hear it", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    page.dataLayer = "not a list";
    setup(makeConfig({ conversionEvents: true }));
    answeredCall();
    expect(root.textContent).toContain("Connected");
    expect(error).toHaveBeenCalled();
    expect(conversions().map(([event]) => event)).toEqual([
      "clickandcall_call_started",
      "clickandcall_call_answered",
    ]);
  });

  it("the portal's preview sends nothing", async () => {
    setup(makeConfig({ conversionEvents: true }), true);
    byText("Request a callback")?.click();
    requestCallback(accepted());
    await until(() => root.textContent?.includes("Preview: requests are not sent."));
    expect(page.dataLayer).toBeUndefined();
    expect(conversions()).toEqual([]);
  });
});

describe("a button without conversion events (the default)", () => {
  it.each([
    ["off", false],
    ["absent", undefined],
  ])("setting %s: a call and a callback request push nothing and emit no conversion", async (_, value) => {
    setup(makeConfig({ conversionEvents: value }));
    answeredCall();
    byText("Hang up")?.click();
    // "Call ended" offers the callback form.
    byText("Request a callback")?.click();
    requestCallback(accepted());
    await until(() => root.textContent?.includes("Thanks — we'll call you back."));
    expect(page.dataLayer).toBeUndefined();
    expect(emitted.map(([event]) => event)).toEqual(["call-start", "call-end"]);
  });
});

describe("through the loader: ClickAndCall('on', …)", () => {
  beforeEach(() => {
    vi.resetModules();
    document.body.innerHTML = "";
    delete page.ClickAndCall;
  });

  /** Boots the loader for a button, with the page's listeners queued before it arrives. */
  async function boot(config: PublicButtonConfig, listen: string[]) {
    const heard: unknown[][] = [];
    const stub = ((...args: unknown[]) => {
      stub.q.push(args);
    }) as ((...args: unknown[]) => void) & { q: unknown[][] };
    stub.q = [];
    for (const event of listen) stub("on", event, (detail: unknown) => heard.push([event, detail]));
    page.ClickAndCall = stub;
    const script = document.createElement("script");
    script.type = "text/plain";
    script.src = fixtureScriptSrc;
    script.dataset.button = "b_test";
    document.body.append(script);
    const requests: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string) => {
        requests.push(url);
        if (url.includes("/trpc/widget.callable"))
          return json({ result: { data: { json: { callable: true } } } });
        if (url.includes("/trpc/widget.requestCallback")) return accepted();
        return json(config);
      }),
    );
    await import("../src/loader");
    const host = () => document.querySelector("click-and-call")?.shadowRoot;
    await until(() => host()?.querySelector("button.b"));
    root = host() as ShadowRoot;
    (root.querySelector("button.b") as HTMLButtonElement).click();
    await until(() => byText("Request a callback"));
    byText("Request a callback")?.click();
    field("name").value = "Val Visitor";
    field("phone").value = "(202) 555-0188";
    (root.querySelector("form") as HTMLFormElement).requestSubmit();
    await until(() => root.textContent?.includes("Thanks — we'll call you back."));
    return heard;
  }

  it("a listener on clickandcall_callback_requested hears the accepted request of an opted-in button", async () => {
    const heard = await boot(makeConfig({ conversionEvents: true }), [
      "clickandcall_callback_requested",
      "ready",
    ]);
    expect(heard).toEqual([
      ["ready", { open: true }],
      ["clickandcall_callback_requested", { buttonId: "b_test" }],
    ]);
    expect(page.dataLayer).toEqual([
      { event: "clickandcall_callback_requested", clickandcall: { buttonId: "b_test" } },
    ]);
  });

  it("hears nothing from a button that did not opt in", async () => {
    const heard = await boot(makeConfig(), ["clickandcall_callback_requested", "ready"]);
    expect(heard).toEqual([["ready", { open: true }]]);
    expect(page.dataLayer).toBeUndefined();
  });
});
