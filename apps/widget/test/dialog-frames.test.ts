// @vitest-environment happy-dom
/**
 * Each state's frame on its own, with a stand-in for the dialog (the Room): what it shows, what
 * its buttons do, what takes focus and what it announces. call-ui.test.ts drives them together.
 */
import { afterEach, beforeEach, describe, expect, it, type Mock, vi } from "vitest";
import type { CallView } from "../src/call-state";
import type { Child } from "../src/dialog/dom";
import { frames } from "../src/dialog/frames";
import type { Frame, Room } from "../src/dialog/room";
import en, { type Strings } from "../src/i18n/en";
import es from "../src/i18n/es";
import type { CallSession } from "../src/transport";
import type { CallFailCause, WidgetContext } from "../src/types";
import { makeConfig, words } from "./helpers";

const failMessages = en.failed.causes;
/** The dialog's language in this test (English unless a test says otherwise). */
let lang: Strings;

type Mocked = "send" | "call" | "hangUp" | "close" | "form" | "tick" | "showForm";
let room: Omit<Room, Mocked> & { [K in Mocked]: Mock<Room[K]> };
let session: { [K in keyof CallSession]: Mock<CallSession[K]> };
let open: boolean;
let preview: boolean;
let canCall: boolean;
let formShown: boolean;
/** The next opening the hours know of; null when none is coming. */
let next: number | null;

beforeEach(() => {
  lang = en;
  open = true;
  next = Date.parse("2026-03-03T14:00:00Z");
  preview = false;
  canCall = true;
  formShown = false;
  session = { hangup: vi.fn(), mute: vi.fn(), dtmf: vi.fn() };
  const ctx = {
    cfg: makeConfig(),
    get w() {
      return words(lang);
    },
    get preview() {
      return preview;
    },
    status: () => ({ open, next, text: next === null ? "Closed for now" : "Closed — back tomorrow 9:00 AM" }),
  } as unknown as WidgetContext;
  room = {
    ctx,
    send: vi.fn(),
    call: vi.fn(),
    hangUp: vi.fn(),
    close: vi.fn(),
    session: () => session,
    canCall: () => canCall,
    form: vi.fn((intro) => {
      const form = document.createElement("form");
      form.textContent = intro;
      return form;
    }),
    formShown: () => formShown,
    showForm: vi.fn(),
    tick: vi.fn(),
  };
});
afterEach(() => {
  vi.useRealTimers();
});

/** Renders a state's frame into a box, as the dialog does. */
function draw<V extends CallView>(view: V) {
  const frame = frames[view.v] as Frame<CallView["v"]>;
  const box = document.createElement("div");
  box.append(...((frame.render(view, room) as Child[]).flat(2).filter(Boolean) as (Node | string)[]));
  const button = (text: string) =>
    [...box.querySelectorAll<HTMLButtonElement>("button")].find((b) => b.textContent === text);
  return { box, button, live: frame.live?.(lang), focus: box.querySelector("[data-focus]") };
}

describe("dialog frames, one per state", () => {
  it("has a frame for every state of the machine", () => {
    expect(Object.keys(frames).sort()).toEqual(
      ["home", "sent", "permission", "connecting", "ringing", "connected", "ended", "failed"].sort(),
    );
  });

  it("home, open: one primary action, 'Call now', which takes focus; the microphone is explained first", () => {
    const { box, button, focus, live } = draw({ v: "home" });
    expect(focus).toBe(button("Call now"));
    expect([...box.querySelectorAll(".pr")]).toEqual([button("Call now")]);
    expect(box.textContent).toContain("Your browser will ask to use your microphone. We never record.");
    button("Call now")?.click();
    expect(room.call).toHaveBeenCalledTimes(1);
    expect(room.form).not.toHaveBeenCalled();
    button("Request a callback")?.click();
    expect(room.showForm).toHaveBeenCalledTimes(1);
    expect(live).toBeUndefined();
  });

  it("home, open, the visitor asked for the form: the form leads, 'Call now' stays as a secondary action", () => {
    formShown = true;
    const { box, button } = draw({ v: "home" });
    expect(room.form).toHaveBeenCalledWith("Leave your number and we'll call you back.");
    expect(box.firstElementChild?.tagName).toBe("FORM");
    expect(button("Call now")?.classList.contains("pr")).toBe(false);
    expect(box.querySelector("[data-focus]")).toBeNull();
    expect(box.textContent).toContain("We never record.");
    button("Call now")?.click();
    expect(room.call).toHaveBeenCalledTimes(1);
  });

  it("home, open with nobody to answer: the form, whatever the closed behaviour, and no 'Call now'", () => {
    for (const closedBehavior of ["message", "callback", "hide"] as const) {
      room.form.mockClear();
      room.ctx.cfg = makeConfig({ closedBehavior });
      room.ctx.busy = true;
      const { box, button } = draw({ v: "home" });
      expect(button("Call now")).toBeUndefined();
      expect(box.querySelector('[role="status"]')?.textContent).toBe("No one can take a call right now.");
      expect(room.form).toHaveBeenCalledWith("Leave your number and we'll call you back shortly.");
    }
  });

  it("home, open but no call possible: the form alone", () => {
    canCall = false;
    const { button } = draw({ v: "home" });
    expect(button("Call now")).toBeUndefined();
    expect(room.form).toHaveBeenCalledWith("Leave your number and we'll call you back shortly.");
  });

  it("home, closed: the closed message as a status, then Close or the form by the closed behaviour", () => {
    open = false;
    const message = draw({ v: "home" });
    expect(message.box.querySelector('[role="status"]')?.textContent).toBe("Closed — back tomorrow 9:00 AM");
    message.button("Close")?.click();
    expect(room.close).toHaveBeenCalledTimes(1);
    expect(room.form).not.toHaveBeenCalled();
    room.ctx.cfg = makeConfig({ closedBehavior: "callback" });
    const callback = draw({ v: "home" });
    expect(callback.button("Close")).toBeUndefined();
    expect(room.form).toHaveBeenCalledWith("Leave your number and we'll call you back when we're open.");
  });

  it("home, closed with no opening coming: says so plainly, never 'then' or 'when we're open'", () => {
    open = false;
    next = null;
    const message = draw({ v: "home" });
    expect(message.box.querySelector('[role="status"]')?.textContent).toBe("Closed for now");
    expect(message.box.textContent).toContain("We're not taking calls at the moment.");
    expect(message.box.textContent).not.toMatch(/\bthen\b/);
    room.ctx.cfg = makeConfig({ closedBehavior: "callback" });
    draw({ v: "home" });
    expect(room.form).toHaveBeenCalledWith("Leave your number and we'll call you back.");
  });

  it("sent: thanks the visitor, as a status", () => {
    const { box, button } = draw({ v: "sent" });
    expect(box.querySelector('[role="status"]')?.textContent).toBe("Thanks — we'll call you back.");
    button("Close")?.click();
    expect(room.close).toHaveBeenCalled();
  });

  it("permission, connecting, ringing: announced, and one focused button that hangs up", () => {
    for (const [v, live, text, label] of [
      ["permission", "Waiting for microphone permission", "Allow your microphone", "Cancel"],
      ["connecting", "Connecting", "Connecting…", "Cancel"],
      ["ringing", "Ringing", "Ringing…", "Hang up"],
    ] as const) {
      room.hangUp.mockClear();
      const frame = draw({ v });
      expect(frame.live).toBe(live);
      expect(frame.box.textContent).toContain(text);
      expect(frame.focus).toBe(frame.button(label));
      frame.button(label)?.click();
      expect(room.hangUp).toHaveBeenCalledTimes(1);
    }
  });

  it("connected: a ticking timer, Mute and Keypad as toggles, digits sent as DTMF, Hang up", () => {
    vi.useFakeTimers({ now: 100_000 });
    const view = {
      v: "connected",
      since: 100_000 - 75_000,
      muted: false,
      keypad: false,
      digits: "",
    } as const;
    const closed = draw(view);
    expect(closed.live).toBe("Connected");
    const time = closed.box.querySelector('[aria-label="Call duration"] .tm');
    expect(time?.textContent).toBe("1:15");
    vi.setSystemTime(100_000 + 60_000);
    room.tick.mock.calls[0]?.[0]();
    expect(time?.textContent).toBe("2:15");
    expect(closed.button("Mute")?.getAttribute("aria-pressed")).toBe("false");
    expect(closed.box.querySelector('[role="group"]')).toBeNull();
    closed.button("Mute")?.click();
    expect(session.mute).toHaveBeenCalledWith(true);
    expect(room.send).toHaveBeenCalledWith({ t: "mute" });
    closed.button("Keypad")?.click();
    expect(room.send).toHaveBeenCalledWith({ t: "keypad" });
    closed.button("Hang up")?.click();
    expect(room.hangUp).toHaveBeenCalledTimes(1);

    const pad = draw({ ...view, muted: true, keypad: true, digits: "12" });
    expect(pad.button("Mute")?.getAttribute("aria-pressed")).toBe("true");
    expect(pad.button("Keypad")?.getAttribute("aria-pressed")).toBe("true");
    expect(
      pad.box.querySelector('[role="group"][aria-label="Keypad"]')?.querySelectorAll("button"),
    ).toHaveLength(12);
    expect(pad.box.querySelector('.dg[aria-live="polite"]')?.textContent).toBe("12");
    pad.button("#")?.click();
    expect(session.dtmf).toHaveBeenCalledWith("#");
    expect(room.send).toHaveBeenCalledWith({ t: "digit", digit: "#" });
    pad.button("Mute")?.click();
    expect(session.mute).toHaveBeenLastCalledWith(false);
  });

  it("ended: the duration when answered; 'Call again' (primary, focused) and 'Request a callback'", () => {
    const { box, button, live, focus } = draw({ v: "ended", seconds: 75 });
    expect(live).toBe("Call ended");
    expect(box.querySelector('[role="status"]')?.textContent).toBe("Call ended · 1:15");
    expect(draw({ v: "ended", seconds: 0 }).box.textContent).toContain("Call ended");
    expect(draw({ v: "ended", seconds: 0 }).box.textContent).not.toContain("·");
    expect(focus).toBe(button("Call again"));
    expect([...box.querySelectorAll(".pr")]).toEqual([button("Call again")]);
    button("Call again")?.click();
    expect(room.call).toHaveBeenCalledTimes(1);
    button("Request a callback")?.click();
    expect(room.showForm).toHaveBeenCalledTimes(1);
    button("Close")?.click();
    expect(room.close).toHaveBeenCalledTimes(1);
  });

  it("failed: an alert and the cause's message; a retry only when it can help; the form after every failure", () => {
    const retry: CallFailCause[] = [];
    const form: CallFailCause[] = [];
    for (const cause of Object.keys(failMessages) as CallFailCause[]) {
      room.form.mockClear();
      const frame = draw({ v: "failed", cause });
      expect(frame.box.querySelector('[role="alert"]')?.textContent).toBe(
        ["no-agent", "no-answer", "busy"].includes(cause)
          ? "No one could take your call"
          : "The call didn't go through",
      );
      expect(frame.box.textContent).toContain(failMessages[cause]);
      expect(frame.focus).toBe(frame.button("Back"));
      if (frame.button("Try again")) retry.push(cause);
      if (room.form.mock.calls.length) form.push(cause);
      // At most one primary action: with the form offered, its submit (the stand-in has none).
      const primary = !room.form.mock.calls.length && frame.button("Try again") ? 1 : 0;
      expect(frame.box.querySelectorAll(".pr")).toHaveLength(primary);
    }
    expect(retry.sort()).toEqual(
      ["mic-denied", "no-mic", "offline", "rate-limited", "generic", "captcha", "outage"].sort(),
    );
    // Closed: only when the owner takes callbacks while closed (this button shows a message).
    expect(form.sort()).toEqual(
      (Object.keys(failMessages) as CallFailCause[]).filter((cause) => cause !== "closed").sort(),
    );
    room.ctx.cfg = makeConfig({ closedBehavior: "callback" });
    room.form.mockClear();
    draw({ v: "failed", cause: "closed" });
    expect(room.form).toHaveBeenCalledTimes(1);
    draw({ v: "failed", cause: "generic" }).button("Try again")?.click();
    expect(room.call).toHaveBeenCalledTimes(1);
  });

  it("failed: closed says when the business opens again; the preview offers no form", () => {
    open = false;
    expect(draw({ v: "failed", cause: "closed" }).box.querySelector('[role="alert"]')?.textContent).toBe(
      "Closed — back tomorrow 9:00 AM",
    );
    preview = true;
    room.form.mockClear();
    draw({ v: "failed", cause: "no-agent" });
    expect(room.form).not.toHaveBeenCalled();
  });
});

describe("dialog frames in Spanish", () => {
  beforeEach(() => {
    lang = es;
  });

  it("home: 'Llamar ahora' leads, with the microphone line; 'Pedir que me llamen' brings the form", () => {
    const { box, button, focus } = draw({ v: "home" });
    expect(focus).toBe(button("Llamar ahora"));
    expect(box.textContent).toContain("Hable con nosotros ahora, desde su navegador.");
    expect(box.textContent).toContain("Su navegador le pedirá usar el micrófono. Nunca grabamos.");
    button("Pedir que me llamen")?.click();
    expect(room.showForm).toHaveBeenCalledTimes(1);
    formShown = true;
    draw({ v: "home" });
    expect(room.form).toHaveBeenLastCalledWith("Déjenos su número y le llamaremos.");
    canCall = false;
    draw({ v: "home" });
    expect(room.form).toHaveBeenLastCalledWith("Déjenos su número y le llamaremos en breve.");
  });

  it("home, closed: the owner's Spanish closed message when given, else the widget's words", () => {
    open = false;
    room.ctx.cfg = makeConfig({ closedBehavior: "message" });
    const plain = draw({ v: "home" });
    expect(plain.box.textContent).toContain("Con gusto atenderemos su llamada entonces.");
    expect(plain.button("Cerrar")).toBeTruthy();
    room.ctx.cfg = makeConfig({
      closedBehavior: "message",
      texts: {
        es: { closedMessage: "Para emergencias llame al 555-0100." },
        en: { closedMessage: "Emergencies: 555-0100." },
      },
    });
    const own = draw({ v: "home" });
    expect(own.box.textContent).toContain("Para emergencias llame al 555-0100.");
    expect(own.box.textContent).not.toContain("Emergencies");
    room.ctx.cfg = makeConfig({ closedBehavior: "callback" });
    draw({ v: "home" });
    expect(room.form).toHaveBeenLastCalledWith("Déjenos su número y le llamaremos cuando abramos.");
  });

  it("permission, connecting, ringing, connected, ended, sent: Spanish words and announcements", () => {
    for (const [v, live, text, label] of [
      ["permission", "Esperando el permiso del micrófono", "Permita el uso del micrófono", "Cancelar"],
      ["connecting", "Conectando", "Conectando…", "Cancelar"],
      ["ringing", "Sonando", "Sonando…", "Colgar"],
    ] as const) {
      const frame = draw({ v });
      expect(frame.live).toBe(live);
      expect(frame.box.textContent).toContain(text);
      expect(frame.focus).toBe(frame.button(label));
    }
    const connected = draw({ v: "connected", since: Date.now(), muted: false, keypad: true, digits: "" });
    expect(connected.live).toBe("Conectado");
    expect(connected.button("Silenciar")?.getAttribute("aria-pressed")).toBe("false");
    expect(connected.button("Teclado")?.getAttribute("aria-pressed")).toBe("true");
    expect(connected.box.querySelector('[aria-label="Teclado"]')).toBeTruthy();
    expect(connected.box.querySelector('[aria-label="Duración de la llamada"]')).toBeTruthy();
    expect(connected.button("Colgar")).toBeTruthy();
    const ended = draw({ v: "ended", seconds: 75 });
    expect(ended.live).toBe("Llamada terminada");
    expect(ended.box.textContent).toContain("Llamada terminada · 1:15");
    expect(ended.focus).toBe(ended.button("Llamar de nuevo"));
    expect(ended.button("Pedir que me llamen")).toBeTruthy();
    expect(draw({ v: "sent" }).box.textContent).toContain("Gracias — le llamaremos.");
  });

  it("failed: a Spanish message for every cause, with Spanish headings and buttons", () => {
    for (const cause of Object.keys(es.failed.causes) as CallFailCause[]) {
      const frame = draw({ v: "failed", cause });
      expect(frame.box.textContent).toContain(es.failed.causes[cause]);
      expect(frame.button("Volver")).toBeTruthy();
    }
    expect(draw({ v: "failed", cause: "no-answer" }).box.textContent).toContain(
      "Nadie pudo atender su llamada",
    );
    const generic = draw({ v: "failed", cause: "generic" });
    expect(generic.box.textContent).toContain("La llamada no se pudo completar");
    expect(generic.button("Intentar de nuevo")).toBeTruthy();
  });
});
