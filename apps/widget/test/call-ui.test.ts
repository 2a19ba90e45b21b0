// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { mount } from "../src/call-ui";
import { requestCallback } from "../src/callback-request";
import { hoursStatus } from "../src/hours";
import en from "../src/i18n/en";
import type { CallContext, CallSession, StartCall } from "../src/transport";
import type { PublicButtonConfig, WidgetContext } from "../src/types";
import { json, MONDAY_8PM_NY, MONDAY_10AM_NY, makeConfig, visitorInNewYork, words } from "./helpers";

const failMessages = en.failed.causes;

let ctx: WidgetContext;
let root: ShadowRoot;
let emitted: unknown[][];
let now = MONDAY_10AM_NY;

function setup(
  config: PublicButtonConfig = makeConfig(),
  options: { preview?: boolean; start?: StartCall | null; w?: WidgetContext["w"] } = {},
) {
  document.body.innerHTML = "";
  const host = document.createElement("div");
  document.body.append(host);
  root = host.attachShadow({ mode: "open" });
  const frame = document.createElement("div");
  const button = document.createElement("button");
  frame.append(button);
  root.append(frame);
  emitted = [];
  ctx = {
    cfg: config,
    frame,
    button,
    preview: options.preview ?? false,
    w: options.w ?? words(),
    status: () => {
      const s = hoursStatus(ctx.cfg.openWindows, now);
      return { ...s, text: ctx.w.closed(s.next, now) };
    },
    emit: (...args) => emitted.push(args),
  };
  return mount(ctx, options.start ?? null);
}

const dialog = () => root.querySelector('[role="dialog"]') as HTMLElement;
const active = () => root.activeElement as HTMLElement | null;
const byText = (text: string) =>
  [...root.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent === text);
const field = (name: string) => root.querySelector(`[name="${name}"]`) as HTMLInputElement;
const key = (k: string, shiftKey = false) =>
  (active() ?? dialog()).dispatchEvent(
    new KeyboardEvent("keydown", { key: k, shiftKey, bubbles: true, composed: true }),
  );
/** Types into a field as a visitor does: the value changes, then an `input` event. */
const type = (name: string, value: string) => {
  field(name).value = value;
  field(name).dispatchEvent(new Event("input", { bubbles: true }));
};
const until = (check: () => unknown) => vi.waitFor(() => expect(check()).toBeTruthy(), { timeout: 2000 });

visitorInNewYork({ beforeAll, afterAll });

beforeEach(() => {
  now = MONDAY_10AM_NY;
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("dialog frame", () => {
  it("is a labelled modal dialog; focus moves in on open and back to the button on close", () => {
    const ui = setup();
    expect(dialog().hidden).toBe(true);
    ui.open(ctx.button);
    expect(dialog().hidden).toBe(false);
    expect(dialog().getAttribute("aria-modal")).toBe("true");
    // Whose line it is: the business name, then the button's label.
    const labelledBy = (dialog().getAttribute("aria-labelledby") as string).split(" ");
    expect(labelledBy.map((id) => root.getElementById(id)?.textContent)).toEqual([
      "Acme Plumbing",
      "Call us",
    ]);
    expect(root.querySelector<HTMLImageElement>(".hd img")?.hidden).toBe(true);
    expect(ctx.button.getAttribute("aria-expanded")).toBe("true");
    expect(dialog().contains(active())).toBe(true);
    expect(active()?.getAttribute("name")).toBe("name");
    key("Escape");
    expect(dialog().hidden).toBe(true);
    expect(ctx.button.getAttribute("aria-expanded")).toBe("false");
    expect(active()).toBe(ctx.button);
  });

  it("traps Tab inside the dialog, both ways", () => {
    const ui = setup();
    ui.open(ctx.button);
    const close = root.querySelector('button[aria-label="Close"]') as HTMLButtonElement;
    const submit = byText("Request a callback") as HTMLButtonElement;
    submit.focus();
    key("Tab");
    expect(active()).toBe(close);
    key("Tab", true);
    expect(active()).toBe(submit);
  });

  it("the close button closes it", () => {
    const ui = setup();
    ui.open(ctx.button);
    (root.querySelector('button[aria-label="Close"]') as HTMLButtonElement).click();
    expect(ui.isOpen()).toBe(false);
  });

  it("shows the closed message with the next opening when closed (message behaviour)", () => {
    now = MONDAY_8PM_NY;
    const ui = setup(makeConfig({ closedBehavior: "message" }));
    ui.open(ctx.button);
    expect(dialog().textContent).toContain("Closed — back tomorrow 9:00 AM");
    expect(root.querySelector("form")).toBeNull();
    expect(active()?.textContent).toBe("Close");
  });

  it("re-renders on update (hours boundary or new preview config) and keeps what was typed", () => {
    const ui = setup(makeConfig({ closedBehavior: "callback" }));
    ui.open(ctx.button);
    type("name", "Val");
    ctx.cfg = makeConfig({ closedBehavior: "callback", label: "Ring us" });
    now = MONDAY_8PM_NY;
    ui.update();
    expect(root.getElementById("cac-sub")?.textContent).toBe("Ring us");
    expect(dialog().textContent).toContain("Closed — back tomorrow 9:00 AM");
    expect(field("name").value).toBe("Val");
  });
});

describe("callback request form", () => {
  function fill(values: Record<string, string>) {
    for (const [name, value] of Object.entries(values)) field(name).value = value;
    (root.querySelector("form") as HTMLFormElement).requestSubmit();
  }

  it("checks required fields on the client and points at them", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    setup().open(ctx.button);
    fill({ name: " ", phone: "" });
    await until(() => field("name").getAttribute("aria-invalid"));
    expect(field("name").getAttribute("aria-invalid")).toBe("true");
    expect(root.getElementById(field("name").getAttribute("aria-describedby") as string)?.textContent).toBe(
      "Enter your name.",
    );
    expect(field("phone").getAttribute("aria-invalid")).toBe("true");
    expect(active()).toBe(field("name"));
    fill({ name: "Val", phone: "555" });
    await until(() => dialog().textContent?.includes("Enter a full phone number"));
    expect(field("name").getAttribute("aria-invalid")).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("posts the superjson body to widget.requestCallback and thanks the visitor", async () => {
    const fetchMock = vi.fn(async () => json({ result: { data: { json: { ok: true } } } }));
    vi.stubGlobal("fetch", fetchMock);
    setup().open(ctx.button);
    fill({ name: "Val Visitor", phone: "(202) 555-0188", message: "About a leak" });
    await until(() => dialog().textContent?.includes("Thanks — we'll call you back."));
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("https://api.cac.test/trpc/widget.requestCallback");
    expect(init.method).toBe("POST");
    expect(new Headers(init.headers).get("content-type")).toBe("application/json");
    expect(JSON.parse(init.body as string)).toEqual({
      json: {
        button: "b_test",
        name: "Val Visitor",
        phone: "(202) 555-0188",
        message: "About a leak",
        language: "en",
      },
    });
    expect(active()?.textContent).toBe("Close");
  });

  it("shows server field errors on their fields and other errors as a message", async () => {
    const error = (fieldErrors: Record<string, string[]> | null, message: string) =>
      json(
        {
          error: {
            json: {
              message,
              code: -32600,
              data: { code: "BAD_REQUEST", httpStatus: 400, fieldErrors, appCode: "BAD_INPUT" },
            },
          },
        },
        400,
      );
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(error({ phone: ["Enter a US phone number."] }, "Check the form."))
      .mockResolvedValueOnce(error(null, "Too many requests. Try again in a minute."));
    vi.stubGlobal("fetch", fetchMock);
    setup().open(ctx.button);
    fill({ name: "Val", phone: "+44 20 7946 0958" });
    await until(() => field("phone").getAttribute("aria-invalid"));
    expect(root.getElementById("cac-phone-e")?.textContent).toBe("Enter a US phone number.");
    expect(field("phone").value).toBe("+44 20 7946 0958");
    fill({ phone: "2025550188" });
    await until(() => dialog().textContent?.includes("Too many requests. Try again in a minute."));
    expect(field("phone").getAttribute("aria-invalid")).toBeNull();
  });

  it.each([
    [
      "a blocked network",
      "IP_BLOCKED",
      403,
      "Requests from your network are blocked. If this is a mistake, contact the business another way.",
    ],
    [
      "too many requests, with when to retry",
      "RATE_LIMITED",
      429,
      "Too many attempts. Please wait 42 minutes and try again.",
    ],
    [
      "a missing captcha",
      "CAPTCHA_FAILED",
      403,
      "Please complete the verification check, then send the form again.",
    ],
    [
      "a failed captcha",
      "CAPTCHA_FAILED",
      403,
      "We couldn't verify that you're a person. Please complete the check again.",
    ],
    [
      "a button in test mode",
      "ACCOUNT_UNVERIFIED",
      403,
      "This call button is in test mode until its owner confirms their email address.",
    ],
  ])(
    "tells the visitor about %s, keeps what they typed, and can send again",
    async (_l, appCode, status, message) => {
      const refusal = json({ error: { json: { message, data: { appCode, fieldErrors: null } } } }, status);
      const fetchMock = vi
        .fn()
        .mockResolvedValueOnce(refusal)
        .mockResolvedValueOnce(json({ result: { data: { json: { ok: true } } } }));
      vi.stubGlobal("fetch", fetchMock);
      setup().open(ctx.button);
      fill({ name: "Val", phone: "2025550188" });
      await until(() => root.querySelector('[role="status"].n')?.textContent === message);
      expect(field("name").value).toBe("Val");
      expect((byText("Request a callback") as HTMLButtonElement).disabled).toBe(false);
      fill({});
      await until(() => dialog().textContent?.includes("Thanks — we'll call you back."));
    },
  );

  it("says so when the request cannot be sent", async () => {
    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    expect(
      await requestCallback("https://api.cac.test", { button: "b", name: "A", phone: "2025550188" }, en),
    ).toEqual({
      message: "We couldn't send your request. Check your connection, then try again.",
      fieldErrors: {},
    });
  });

  it("in preview, shows that requests are not sent and sends nothing", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    setup(makeConfig(), { preview: true }).open(ctx.button);
    fill({ name: "Val", phone: "2025550188" });
    await until(() => dialog().textContent?.includes("Preview: requests are not sent."));
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

/** On a secure page with a microphone API: opens the dialog, presses "Call now", returns the call. */
function dial(): CallContext | undefined {
  Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
  Object.defineProperty(navigator, "mediaDevices", { value: {}, configurable: true });
  let call: CallContext | undefined;
  setup(makeConfig(), {
    start: (c) => {
      call = c;
      return { hangup() {}, mute() {}, dtmf() {} };
    },
  }).open(ctx.button);
  byText("Call now")?.click();
  return call;
}

describe("calls", () => {
  it("offers no 'Call now' while no call transport exists", () => {
    setup(makeConfig({ callable: true })).open(ctx.button);
    expect(byText("Call now")).toBeUndefined();
    expect(root.querySelector("form")).not.toBeNull();
  });

  it("offers no 'Call now' when the button is not callable, even with a transport", () => {
    setup(makeConfig({ callable: false }), { start: () => ({ hangup() {}, mute() {}, dtmf() {} }) }).open(
      ctx.button,
    );
    expect(byText("Call now")).toBeUndefined();
  });

  it("runs a call through a transport: permission, connecting, ringing, connected, mute, keypad, hang up", async () => {
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    Object.defineProperty(navigator, "mediaDevices", { value: {}, configurable: true });
    let call: CallContext | undefined;
    const session: CallSession = { hangup: vi.fn(), mute: vi.fn(), dtmf: vi.fn() };
    setup(makeConfig(), {
      start: (c) => {
        call = c;
        return session;
      },
    }).open(ctx.button);
    expect(active()?.textContent).toBe("Call now");
    byText("Call now")?.click();
    expect(emitted).toEqual([["call-start"]]);
    expect(call?.button).toBe("b_test");
    expect(call?.apiOrigin).toBe("https://api.cac.test");
    expect(dialog().textContent).toContain("Allow your microphone");
    call?.report({ t: "permitted" });
    expect(dialog().textContent).toContain("Connecting…");
    expect(byText("Cancel")).toBeDefined();
    call?.report({ t: "ringing" });
    expect(dialog().textContent).toContain("Ringing…");
    call?.report({ t: "answered" });
    expect(dialog().textContent).toContain("Connected");
    expect(root.querySelector(".tm")?.textContent).toBe("0:00");
    byText("Mute")?.click();
    expect(session.mute).toHaveBeenCalledWith(true);
    expect(byText("Mute")?.getAttribute("aria-pressed")).toBe("true");
    byText("Keypad")?.click();
    byText("5")?.click();
    byText("#")?.click();
    expect(session.dtmf).toHaveBeenNthCalledWith(1, "5");
    expect(session.dtmf).toHaveBeenNthCalledWith(2, "#");
    expect(root.querySelector(".dg")?.textContent).toBe("5#");
    byText("Hang up")?.click();
    expect(session.hangup).toHaveBeenCalledTimes(1);
    expect(dialog().textContent).toContain("Call ended");
    expect(emitted[1]?.[0]).toBe("call-end");
  });

  it("shows a human message for each failure cause", async () => {
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    Object.defineProperty(navigator, "mediaDevices", { value: {}, configurable: true });
    let call: CallContext | undefined;
    const ui = setup(makeConfig(), {
      start: (c) => {
        call = c;
        return { hangup() {}, mute() {}, dtmf() {} };
      },
    });
    for (const cause of Object.keys(failMessages) as (keyof typeof failMessages)[]) {
      ui.close();
      ui.open(ctx.button);
      byText("Call now")?.click();
      call?.report({ t: "fail", cause });
      expect(dialog().textContent).toContain(failMessages[cause]);
      expect(emitted.at(-1)).toEqual(["call-end", { cause }]);
    }
  });

  it("hands the transport the element for the call's audio, inside the shadow root", () => {
    const call = dial();
    expect(call?.host).toBe(ctx.frame);
    expect(call?.host.getRootNode()).toBe(root);
  });

  it.each(["no-agent", "no-answer", "busy"] as const)(
    "after %s, says no one could take the call and offers the callback form, which sends",
    async (cause) => {
      const fetchMock = vi.fn(async () => json({ result: { data: { json: { ok: true } } } }));
      vi.stubGlobal("fetch", fetchMock);
      const call = dial();
      call?.report({ t: "permitted" });
      call?.report({ t: "ringing" });
      call?.report({ t: "fail", cause });
      expect(dialog().textContent).toContain("No one could take your call");
      expect(dialog().textContent).toContain(failMessages[cause]);
      expect(emitted.at(-1)).toEqual(["call-end", { cause }]);
      // Focus lands on "Back", above the form.
      expect(active()?.textContent).toBe("Back");
      field("name").value = "Val";
      field("phone").value = "(202) 555-0188";
      (root.querySelector("form") as HTMLFormElement).requestSubmit();
      await until(() => dialog().textContent?.includes("Thanks — we'll call you back."));
      expect(fetchMock).toHaveBeenCalledTimes(1);
    },
  );

  it("offers the callback form after a failure that a retry may fix, next to 'Try again'", () => {
    const call = dial();
    call?.report({ t: "fail", cause: "mic-denied" });
    expect(root.querySelector("form")).not.toBeNull();
    expect(byText("Try again")).toBeDefined();
  });

  it("keeps what the visitor typed across every switch of state: form, call, failure, retry, end", () => {
    const call = dial();
    call?.report({ t: "fail", cause: "generic" });
    type("name", "Val Visitor");
    type("phone", "(202) 555-0199");
    byText("Try again")?.click();
    expect(dialog().textContent).toContain("Allow your microphone");
    call?.report({ t: "fail", cause: "mic-denied" });
    expect(field("name").value).toBe("Val Visitor");
    expect(field("phone").value).toBe("(202) 555-0199");
    byText("Try again")?.click();
    call?.report({ t: "permitted" });
    call?.report({ t: "answered" });
    call?.report({ t: "hangup" });
    expect(byText("Call again")).toBeDefined();
    byText("Request a callback")?.click();
    expect(field("name").value).toBe("Val Visitor");
    expect(field("phone").value).toBe("(202) 555-0199");
    // The visitor asked for the form: it leads, and focus is in it.
    expect(byText("Call now")?.classList.contains("pr")).toBe(false);
  });

  it("home offers one primary action; 'Request a callback' brings the form up, focused", () => {
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    setup(makeConfig(), { start: () => ({ hangup() {}, mute() {}, dtmf() {} }) }).open(ctx.button);
    expect(active()).toBe(byText("Call now"));
    expect([...root.querySelectorAll(".bd .pr")]).toEqual([byText("Call now")]);
    expect(root.querySelector("form")).toBeNull();
    expect(dialog().textContent).toContain("Your browser will ask to use your microphone. We never record.");
    byText("Request a callback")?.click();
    expect(root.querySelector("form")).not.toBeNull();
    expect(active()).toBe(field("name"));
  });

  it("shows the logo in the header and takes the button's theme", () => {
    const ui = setup(makeConfig({ logoUrl: "/uploads/logo.png", theme: "dark" }));
    ui.open(ctx.button);
    const logo = root.querySelector<HTMLImageElement>(".hd img");
    expect(logo?.hidden).toBe(false);
    expect(logo?.getAttribute("src")).toBe("https://api.cac.test/uploads/logo.png");
    expect(logo?.alt).toBe("");
    expect(dialog().classList.contains("dark")).toBe(true);
    ctx.cfg = makeConfig({ theme: "auto" });
    ui.update();
    expect(dialog().classList.contains("auto")).toBe(true);
    expect(logo?.hidden).toBe(true);
  });

  it("after an outage on the service's side, says so, and offers both a retry and the callback form", () => {
    const call = dial();
    call?.report({ t: "permitted" });
    call?.report({ t: "fail", cause: "outage" });
    expect(dialog().textContent).toContain("The call didn't go through");
    expect(dialog().textContent).toContain("a problem on our side");
    expect(byText("Try again")).toBeDefined();
    expect(root.querySelector("form")).not.toBeNull();
  });

  it("refuses to dial from an insecure page before asking for the microphone", () => {
    Object.defineProperty(window, "isSecureContext", { value: false, configurable: true });
    const start = vi.fn();
    setup(makeConfig(), { start }).open(ctx.button);
    byText("Call now")?.click();
    expect(start).not.toHaveBeenCalled();
    expect(dialog().textContent).toContain(failMessages.insecure);
  });
});
