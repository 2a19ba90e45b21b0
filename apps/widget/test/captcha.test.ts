// @vitest-environment happy-dom
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { mount } from "../src/call-ui";
import { captchaDeps, captchaToken, type TurnstileApi } from "../src/captcha";
import { hoursStatus } from "../src/hours";
import { type CallContext, type StartCall, startCall } from "../src/transport";
import type { CallProgress, PublicButtonConfig } from "../src/types";
import { json, MONDAY_10AM_NY, makeConfig, visitorInNewYork, words } from "./helpers";

/**
 * Turnstile before a call: the challenge (with a stand-in for Cloudflare's browser API), its token
 * carried by calls.start, a failed or cancelled check, and the dialog asking for it only when the
 * button's config has a site key.
 */

type Rendered = {
  box: HTMLElement;
  options: Record<string, (arg?: string) => unknown> & { sitekey: string };
};
let rendered: Rendered[];
let removed: string[];
const api: TurnstileApi = {
  render(box, options) {
    rendered.push({ box, options: options as Rendered["options"] });
    return `w${rendered.length}`;
  },
  remove: (id) => removed.push(id),
};

const until = (check: () => unknown) => vi.waitFor(() => expect(check()).toBeTruthy(), { timeout: 2000 });

beforeEach(() => {
  rendered = [];
  removed = [];
  vi.spyOn(captchaDeps, "load").mockResolvedValue(api);
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe("captchaToken", () => {
  it("renders an interaction-only challenge for the call, resolves with its token and removes it", async () => {
    const box = document.createElement("div");
    box.hidden = true;
    const token = captchaToken("0x4AAA-site", box, new AbortController().signal);
    await until(() => rendered.length === 1);
    expect(rendered[0]?.box).toBe(box);
    expect(rendered[0]?.options).toMatchObject({
      sitekey: "0x4AAA-site",
      action: "call",
      appearance: "interaction-only",
    });
    expect(box.hidden).toBe(false);
    rendered[0]?.options.callback?.("tok-123");
    await expect(token).resolves.toBe("tok-123");
    expect(removed).toEqual(["w1"]);
    expect(box.hidden).toBe(true);
  });

  it.each(["error-callback", "expired-callback", "timeout-callback"])("rejects on %s", async (name) => {
    const token = captchaToken("k", document.createElement("div"), new AbortController().signal);
    await until(() => rendered.length === 1);
    expect(rendered[0]?.options[name]?.("300010")).toBe(true);
    await expect(token).rejects.toThrow();
    expect(removed).toEqual(["w1"]);
  });

  it("rejects and removes the widget when the visitor cancels", async () => {
    const stop = new AbortController();
    const token = captchaToken("k", document.createElement("div"), stop.signal);
    await until(() => rendered.length === 1);
    stop.abort();
    await expect(token).rejects.toThrow();
    expect(removed).toEqual(["w1"]);
  });

  it("tells the site owner what to allow when the script cannot load", async () => {
    vi.spyOn(captchaDeps, "load").mockRejectedValue(new Error("blocked"));
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    await expect(
      captchaToken("k", document.createElement("div"), new AbortController().signal),
    ).rejects.toThrow();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/script-src and frame-src/);
  });
});

describe("the transport with a captcha", () => {
  let sent: Array<{ path: string; input: Record<string, unknown> }>;
  let progress: CallProgress[];
  let tracks: Array<{ stop: ReturnType<typeof vi.fn> }>;

  beforeEach(() => {
    sent = [];
    progress = [];
    tracks = [];
    const getUserMedia = vi.fn(async () => {
      const track = { kind: "audio", enabled: true, stop: vi.fn() };
      tracks.push(track);
      return { getTracks: () => [track], getAudioTracks: () => [track] };
    });
    Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia }, configurable: true });
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        sent.push({ path: new URL(url).pathname, input: JSON.parse(String(init.body)).json });
        return json({ error: { json: { message: "no", data: { appCode: "NO_AGENT_AVAILABLE" } } } }, 503);
      }),
    );
  });

  const place = (captcha: CallContext["captcha"]) =>
    startCall?.({
      button: "b_test",
      apiOrigin: "https://api.cac.test",
      host: document.createElement("div"),
      report: (p) => progress.push(p),
      captcha,
    });

  it("sends the token with calls.start", async () => {
    place(async () => "tok-abc");
    await until(() => sent.length === 1);
    expect(sent[0]).toMatchObject({
      path: "/trpc/calls.start",
      input: { button: "b_test", captchaToken: "tok-abc" },
    });
  });

  it("a failed check fails the call as captcha, never calls calls.start, and releases the microphone", async () => {
    place(async () => {
      throw new Error("captcha");
    });
    await until(() => progress.length === 2);
    expect(progress).toEqual([{ t: "permitted" }, { t: "fail", cause: "captcha" }]);
    expect(sent).toEqual([]);
    expect(tracks[0]?.stop).toHaveBeenCalled();
  });

  it("hanging up during the check aborts it and places no call", async () => {
    let signal: AbortSignal | undefined;
    const session = place(
      (s) =>
        new Promise<string>((_resolve, reject) => {
          signal = s;
          s.addEventListener("abort", () => reject(new Error("aborted")));
        }),
    );
    await until(() => signal);
    session?.hangup();
    expect(signal?.aborted).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toEqual([]);
    expect(progress).toEqual([{ t: "permitted" }]);
  });
});

describe("the call dialog", () => {
  visitorInNewYork({ beforeAll, afterAll });

  function open(siteKey: string | null) {
    let given: CallContext | undefined;
    const start: StartCall = (c) => {
      given = c;
      return { hangup() {}, mute() {}, dtmf() {} };
    };
    Object.defineProperty(window, "isSecureContext", { value: true, configurable: true });
    Object.defineProperty(navigator, "mediaDevices", { value: {}, configurable: true });
    Object.defineProperty(navigator, "onLine", { value: true, configurable: true });
    const { root } = openDialog(makeConfig({ captchaSiteKey: siteKey }), start);
    const callNow = [...root.querySelectorAll("button")].find((b) => b.textContent === "Call now");
    callNow?.click();
    return { given: () => given, root };
  }

  it("runs the challenge in the dialog when the config has a site key", async () => {
    const { given, root } = open("0x4AAA-site");
    const captcha = given()?.captcha;
    expect(captcha).toBeTypeOf("function");
    const token = captcha?.(new AbortController().signal);
    await until(() => rendered.length === 1);
    expect(root.contains(rendered[0]?.box ?? null)).toBe(true);
    expect(rendered[0]?.options.sitekey).toBe("0x4AAA-site");
    rendered[0]?.options.callback?.("tok-ui");
    await expect(token).resolves.toBe("tok-ui");
  });

  it("asks for nothing without a site key", () => {
    expect(open(null).given()?.captcha).toBeUndefined();
  });
});

describe("the callback form with a captcha", () => {
  visitorInNewYork({ beforeAll, afterAll });

  function openForm(siteKey: string | null) {
    const { root, ui } = openDialog(makeConfig({ captchaSiteKey: siteKey, callable: false }), null);
    const field = (name: string) => root.querySelector(`[name="${name}"]`) as HTMLInputElement;
    field("name").value = "Val Visitor";
    field("phone").value = "(202) 555-0188";
    (root.querySelector("form") as HTMLFormElement).requestSubmit();
    return { root, ui };
  }

  it("solves a challenge for the action 'callback' and sends its token with the request", async () => {
    const fetchMock = vi.fn(async () => json({ result: { data: { json: { ok: true } } } }));
    vi.stubGlobal("fetch", fetchMock);
    const { root } = openForm("0x4AAA-site");
    await until(() => rendered.length === 1);
    expect(rendered[0]?.options).toMatchObject({ sitekey: "0x4AAA-site", action: "callback" });
    expect(root.contains(rendered[0]?.box ?? null)).toBe(true);
    expect(fetchMock).not.toHaveBeenCalled();
    rendered[0]?.options.callback?.("tok-cb");
    await until(() => root.textContent?.includes("Thanks — we'll call you back."));
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("https://api.cac.test/trpc/widget.requestCallback");
    expect(JSON.parse(String(init.body)).json).toMatchObject({ button: "b_test", captchaToken: "tok-cb" });
  });

  it("a failed check sends nothing and says so; closing the dialog cancels the check", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    const { root } = openForm("0x4AAA-site");
    await until(() => rendered.length === 1);
    rendered[0]?.options["error-callback"]?.("300010");
    await until(() =>
      root.textContent?.includes("We couldn't verify that you're a person. Please try again."),
    );
    expect(fetchMock).not.toHaveBeenCalled();
    (root.querySelector("form") as HTMLFormElement).requestSubmit();
    await until(() => rendered.length === 2);
    closeButton(root)?.click();
    await until(() => removed.length === 2);
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("asks for no challenge without a site key", async () => {
    const fetchMock = vi.fn(async () => json({ result: { data: { json: { ok: true } } } }));
    vi.stubGlobal("fetch", fetchMock);
    const { root } = openForm(null);
    await until(() => root.textContent?.includes("Thanks — we'll call you back."));
    expect(rendered).toEqual([]);
    expect(
      JSON.parse(String((fetchMock.mock.calls[0] as unknown as [string, RequestInit])[1].body)).json,
    ).not.toHaveProperty("captchaToken");
  });
});

/** The dialog's close (×) button. */
function closeButton(root: ShadowRoot) {
  return root.querySelector<HTMLButtonElement>('button[aria-label="Close"]');
}

/** The widget's dialog for `cfg`, mounted in a shadow root on a Monday morning in New York, open. */
function openDialog(cfg: PublicButtonConfig, start: StartCall | null) {
  document.body.innerHTML = "";
  const host = document.createElement("div");
  document.body.append(host);
  const root = host.attachShadow({ mode: "open" });
  const frame = document.createElement("div");
  const button = document.createElement("button");
  frame.append(button);
  root.append(frame);
  const ctx = {
    cfg,
    frame,
    button,
    preview: false,
    w: words(),
    status: () => {
      const s = hoursStatus(ctx.cfg.openWindows, MONDAY_10AM_NY);
      return { ...s, text: ctx.w.closed(s.next, MONDAY_10AM_NY) };
    },
    emit() {},
  };
  const ui = mount(ctx, start);
  ui.open();
  return { root, ui };
}
