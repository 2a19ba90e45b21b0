/**
 * The call UI chunk (dist/widget-call.js, an ES module, at most 15 KB gzipped), loaded by the
 * loader on the first hover, focus or click of the button. It renders a modal dialog in the
 * button's shadow root and runs the pure state machine in call-state.ts; each state is drawn by
 * its own module in dialog/ (see dialog/frames.ts). No framework.
 *
 * This module owns what outlives a frame: the state, the call in progress, the callback form
 * (what the visitor typed survives every switch between states), where focus goes, and the
 * dialog's open/close API for the loader.
 */

import { type CallEvent, type CallView, inCall, step } from "./call-state";
import { captchaToken } from "./captcha";
import { conversion } from "./conversion";
import { callbackForm } from "./dialog/callback-form";
import { frames } from "./dialog/frames";
import type { Frame, Room } from "./dialog/room";
import { shell } from "./dialog/shell";
import { codeOf } from "./i18n/own-texts";
import { type CallSession, type StartCall, startCall } from "./transport";
import type { CallFailCause, CallUi, WidgetContext } from "./types";
import { visitorContext } from "./visitor-context";

/** The server's answer is kept 5 s by the browser: asking more often would only read its copy. */
const CHECK_EVERY_MS = 5000;

export function mount(ctx: WidgetContext, start: StartCall | null = startCall): CallUi {
  const { frame, button } = ctx;
  const root = frame.getRootNode() as ShadowRoot;
  const { dialog, head, body, captchaBox, live, focusFirst, place } = shell(frame, button, ctx.preview, () =>
    ui.close(),
  );
  const form = callbackForm(ctx, {
    body,
    captchaBox,
    render,
    sent() {
      form.shown = false;
      send({ t: "sent" });
      conversion(ctx, "callback_requested");
    },
  });

  let view: CallView = { v: "home" };
  let lastView: CallView["v"] = view.v;
  let session: CallSession | undefined;
  /** The call in progress as the server knows it (`calls.start`'s session id). */
  let callId: string | undefined;
  let returnTo: HTMLElement | null | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  /** While the dialog is open, whether anyone can answer is asked again as its answer expires. */
  let poll: ReturnType<typeof setInterval> | undefined;

  function send(event: CallEvent) {
    const before = view;
    view = step(view, event);
    if (view === before) return;
    if (view.v === "connected" && before.v !== "connected") conversion(ctx, "call_answered", callId);
    if (view.v === "failed") form.clear();
    if (inCall(before) && !inCall(view)) {
      session = undefined;
      ctx.emit(
        "call-end",
        view.v === "failed" ? { cause: view.cause } : { seconds: view.v === "ended" ? view.seconds : 0 },
      );
    }
    render();
  }

  function placeCall() {
    const s = ctx.status();
    const cause: CallFailCause | null = !s.open
      ? "closed"
      : !window.isSecureContext || !navigator.mediaDevices
        ? "insecure"
        : !navigator.onLine
          ? "offline"
          : null;
    if (cause) return send({ t: "fail", cause });
    // Nobody can answer (the server said so lately): no microphone prompt, the callback form.
    if (ctx.busy) return send({ t: "fail", cause: "no-agent" });
    if (!start || ctx.preview) return;
    send({ t: "call" });
    callId = undefined;
    ctx.emit("call-start");
    const siteKey = ctx.cfg.captchaSiteKey;
    try {
      session = start({
        button: ctx.cfg.id,
        apiOrigin: ctx.cfg.apiOrigin,
        language: codeOf(ctx.w.t),
        host: frame,
        report(p) {
          if (p.t !== "started")
            return send(p.t === "answered" || p.t === "hangup" ? { t: p.t, at: Date.now() } : p);
          callId = p.id;
          conversion(ctx, "call_started", callId);
        },
        captcha: siteKey ? (signal) => captchaToken(siteKey, captchaBox, signal) : undefined,
        context: visitorContext(ctx.cfg),
      });
    } catch {
      send({ t: "fail", cause: "generic" });
    }
  }

  const room: Room = {
    ctx,
    send,
    call: placeCall,
    hangUp() {
      const s = session;
      send({ t: "hangup", at: Date.now() });
      s?.hangup();
    },
    close: () => ui.close(),
    session: () => session,
    canCall: () => ctx.cfg.callable && start !== null && !ctx.busy,
    form: form.render,
    formShown: () => form.shown,
    showForm() {
      form.shown = true;
      if (view.v === "home") render();
      else send({ t: "reset" });
    },
    tick(fn) {
      timer = setInterval(fn, 1000);
    },
  };

  function render() {
    const hadFocus = dialog.contains(root.activeElement);
    const focusedName = (root.activeElement as HTMLInputElement | null)?.name;
    head(ctx);
    clearInterval(timer);
    const draw = frames[view.v] as Frame<CallView["v"]>;
    body.replaceChildren(...(draw.render(view, room).flat(2).filter(Boolean) as (Node | string)[]));
    if (view.v !== lastView) {
      lastView = view.v;
      live.textContent = draw.live?.(ctx.w.t) ?? "";
      if (hadFocus || !dialog.hidden) focusFirst();
    } else if (hadFocus && focusedName) {
      body.querySelector<HTMLElement>(`[name="${focusedName}"]`)?.focus();
    } else if (hadFocus && !dialog.contains(root.activeElement)) {
      focusFirst();
    }
  }

  const ui: CallUi = {
    open(from) {
      if (!dialog.hidden) return;
      returnTo = from ?? null;
      if (!inCall(view) && view.v !== "home") view = { v: "home" };
      if (view.v === "home") form.clear();
      render();
      place();
      dialog.hidden = false;
      button.setAttribute("aria-expanded", "true");
      focusFirst();
      if (ctx.check) {
        ctx.check();
        poll = setInterval(ctx.check, CHECK_EVERY_MS);
      }
    },
    close() {
      if (dialog.hidden) return;
      form.cancel();
      clearInterval(poll);
      dialog.hidden = true;
      button.setAttribute("aria-expanded", "false");
      (returnTo ?? button).focus();
    },
    update() {
      if (!dialog.hidden) place();
      if (!dialog.hidden && (view.v === "home" || view.v === "failed")) render();
      else head(ctx);
    },
    isOpen: () => !dialog.hidden,
  };
  return ui;
}
