/**
 * The call UI chunk (dist/widget-call.js, an ES module, at most 15 KB gzipped), loaded by the
 * loader on the first hover, focus or click of the button. It renders a modal dialog in the
 * button's shadow root: the closed message, the callback request form, and the frames of a call
 * (permission prompt, connecting, ringing, connected with timer, mute and keypad, ended, failed).
 * No framework: a few DOM helpers and the pure state machine in call-state.ts.
 */

import { type CallEvent, type CallView, formatDuration, inCall, step } from "./call-state";
import { captchaToken } from "./captcha";
import { type CallFailCause, type CallSession, type StartCall, startCall } from "./transport";
import type { CallUi, WidgetContext } from "./types";

type Child = Node | string | null | undefined | false | Child[];
type Props = Record<string, string | boolean | number | ((event: Event) => void) | undefined>;

/** Creates an element: `on*` props become listeners, booleans toggle attributes, the rest are attributes. */
function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === "function") e.addEventListener(key.slice(2), value);
    else if (value === true) e.setAttribute(key, "");
    else if (value !== false && value !== undefined) e.setAttribute(key, String(value));
  }
  for (const child of children.flat(2) as (Node | string | null | undefined | false)[])
    if (child) e.append(child);
  return e;
}

export const failMessages: Record<CallFailCause, string> = {
  "mic-denied":
    "Your browser blocked the microphone. Allow microphone access for this site (in the address bar or your browser settings), then try again.",
  "no-mic": "We couldn't find a microphone. Connect one, then try again.",
  insecure: "Calls need a secure (https) page, and this one isn't. You can still ask us to call you back.",
  offline: "You seem to be offline. Check your internet connection, then try again.",
  closed: "We're closed right now, so the call can't go through.",
  blocked: "Calls from this page aren't accepted right now. You can still ask us to call you back.",
  "over-quota": "We can't take more calls right now. Please ask us to call you back instead.",
  "rate-limited": "Too many call attempts in a short time. Please wait a minute, then try again.",
  generic: "The call couldn't be connected. Please try again in a moment.",
  captcha: "We couldn't verify this call. Please try again.",
  "no-agent": "No one is available to answer right now. Leave your number and we'll call you back.",
  "no-answer": "No one answered in time. Leave your number and we'll call you back.",
  busy: "We can't take your call right now. Leave your number and we'll call you back.",
  unavailable:
    "This line isn't taking calls from the browser right now. You can still ask us to call you back.",
  outage:
    "Calls can't be connected right now because of a problem on our side. Please try again in a few minutes, or ask us to call you back.",
};

const retryable: CallFailCause[] = [
  "mic-denied",
  "no-mic",
  "offline",
  "rate-limited",
  "generic",
  "captcha",
  "outage",
];
/** Failures after which the callback form is offered right away. */
const offerCallback: CallFailCause[] = [
  "insecure",
  "blocked",
  "over-quota",
  "no-agent",
  "no-answer",
  "busy",
  "unavailable",
  "outage",
];
const unanswered: CallFailCause[] = ["no-agent", "no-answer", "busy"];

const css = `
.d{position:fixed;z-index:2147483001;right:20px;bottom:var(--o,84px);
width:min(360px,calc(100vw - 24px));max-height:calc(100vh - var(--o,84px) - 16px);overflow:auto;box-sizing:border-box;
background:#fff;color:#1a1a1a;border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.3);font:400 15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
.d[hidden]{display:none}
.bottom-left .d{right:auto;left:20px}
.inline .d{right:auto;bottom:auto;left:50%;top:50%;transform:translate(-50%,-50%);max-height:calc(100vh - 32px)}
:host(.pv) .d{position:absolute;max-height:calc(100% - var(--o,84px) - 16px);width:min(340px,calc(100% - 24px))}
:host(.pv) .inline .d{bottom:auto;max-height:calc(100% - 32px)}
@media (max-width:480px){:host(:not(.pv)) .d{left:8px;right:8px;bottom:8px;top:auto;transform:none;width:auto;max-height:calc(100vh - 16px)}}
@media (prefers-reduced-motion:no-preference){.d{animation:in .16s ease-out}
@keyframes in{from{opacity:0;translate:0 8px}}}
.hd{display:flex;align-items:center;gap:8px;padding:14px 14px 14px 18px;background:var(--b);color:var(--t);border-radius:14px 14px 0 0}
.hd h2{flex:1;margin:0;font-size:17px;font-weight:600;line-height:1.3}
.x{all:unset;box-sizing:border-box;width:32px;height:32px;border-radius:8px;display:grid;place-items:center;cursor:pointer;font-size:22px;line-height:1}
.x:hover{background:rgba(127,127,127,.25)}
.bd{padding:16px 18px 18px;display:grid;gap:12px}
p{margin:0}
.st{font-weight:600}
.mt{color:#444}
.big{font-size:28px;font-weight:600;font-variant-numeric:tabular-nums;text-align:center}
.ctr{text-align:center}
form{display:grid;gap:4px}
label{font-weight:600;font-size:14px;margin-top:6px}
label span{font-weight:400;color:#555}
input,textarea{font:inherit;color:inherit;background:#fff;border:1px solid #767676;border-radius:8px;padding:9px 10px;width:100%;box-sizing:border-box}
textarea{resize:vertical;min-height:64px}
input[aria-invalid=true],textarea[aria-invalid=true]{border-color:#b3261e;border-width:2px}
.e{color:#b3261e;font-size:13.5px}
.e:empty{display:none}
.n{background:#f3f4f6;border-radius:8px;padding:8px 10px;font-size:14px}
.n:empty{display:none}
.r{display:flex;gap:8px;flex-wrap:wrap}
.r>*{flex:1}
.btn{all:unset;box-sizing:border-box;text-align:center;cursor:pointer;padding:10px 14px;border-radius:10px;font-weight:600;font-size:15px;border:1px solid #767676;color:#1a1a1a;background:#fff}
.btn[aria-pressed=true]{background:#1a1a1a;color:#fff}
.pr{background:var(--b);color:var(--t);border-color:var(--b);margin-top:8px}
.hang{background:#b3261e;color:#fff;border-color:#b3261e}
.btn:disabled{opacity:.6;cursor:default}
.btn:focus-visible,.x:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
input:focus-visible,textarea:focus-visible{outline:3px solid #1a73e8;outline-offset:1px}
.kp{display:grid;grid-template-columns:repeat(3,1fr);gap:6px}
.kp .btn{font-size:18px;padding:8px}
.dg{text-align:center;font-variant-numeric:tabular-nums;letter-spacing:2px;min-height:1.45em}
.cf{padding:0 18px 14px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;

// iframe: an interactive Turnstile challenge must be reachable with Tab.
const focusable =
  "button:not([disabled]),input,textarea,select,a[href],iframe,[tabindex]:not([tabindex='-1'])";

export function mount(ctx: WidgetContext, start: StartCall | null = startCall): CallUi {
  const { frame, button } = ctx;
  const root = frame.getRootNode() as ShadowRoot;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch {
    root.append(h("style", {}, css));
  }

  let view: CallView = { v: "home" };
  let session: CallSession | undefined;
  let returnTo: HTMLElement | null | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  /** Set by the callback form while it shows a message or is sending. */
  let formNote = "";
  let sending = false;
  let fieldErrors: Record<string, string> = {};
  let values: Record<string, string> = {};
  /** Cancels the callback form's captcha when the dialog closes. */
  let formCaptcha: AbortController | undefined;

  const title = h("h2", { id: "cac-title" });
  const live = h("p", { class: "sr", "aria-live": "polite" });
  const body = h("div", { class: "bd" });
  // Outside `body`, which is re-rendered: Turnstile's frame must survive state changes.
  const captchaBox = h("div", { class: "cf", hidden: true, "aria-label": "Verification check" });
  const dialog = h(
    "div",
    {
      class: "d",
      role: "dialog",
      "aria-modal": "true",
      "aria-labelledby": "cac-title",
      hidden: true,
      onkeydown: (event) => onKey(event as KeyboardEvent),
    },
    h(
      "div",
      { class: "hd" },
      title,
      h("button", { type: "button", class: "x", "aria-label": "Close", onclick: () => ui.close() }, "×"),
    ),
    body,
    captchaBox,
    live,
  );
  frame.append(dialog);

  function onKey(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.stopPropagation();
      ui.close();
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

  const focusFirst = () => {
    const target =
      body.querySelector<HTMLElement>("[data-focus]") ??
      body.querySelector<HTMLElement>(focusable) ??
      dialog.querySelector<HTMLElement>(".x");
    target?.focus();
  };

  function send(event: CallEvent) {
    const before = view;
    view = step(view, event);
    if (view === before) return;
    if (view.v === "failed") {
      formNote = "";
      fieldErrors = {};
    }
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
    if (!start || ctx.preview) return;
    send({ t: "call" });
    ctx.emit("call-start");
    const siteKey = ctx.cfg.captchaSiteKey;
    try {
      session = start({
        button: ctx.cfg.id,
        apiOrigin: ctx.cfg.apiOrigin,
        host: frame,
        report: (p) => send(p.t === "answered" || p.t === "hangup" ? { t: p.t, at: Date.now() } : p),
        captcha: siteKey ? (signal) => captchaToken(siteKey, captchaBox, signal) : undefined,
      });
    } catch {
      send({ t: "fail", cause: "generic" });
    }
  }

  function hangUp() {
    const s = session;
    send({ t: "hangup", at: Date.now() });
    s?.hangup();
  }

  const btn = (text: string, onclick: () => void, cls = "", extra: Props = {}) =>
    h("button", { type: "button", class: `btn ${cls}`, onclick, ...extra }, text);

  const closeBtn = () => btn("Close", () => ui.close());

  function field(name: string, label: Child, input: HTMLElement) {
    const error = fieldErrors[name];
    input.id = `cac-${name}`;
    input.setAttribute("name", name);
    (input as HTMLInputElement).value = values[name] ?? "";
    if (error) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `cac-${name}-e`);
    }
    return [
      h("label", { for: `cac-${name}` }, label),
      input,
      h("p", { class: "e", id: `cac-${name}-e` }, error),
    ];
  }

  function callbackForm(intro: string) {
    const form = h(
      "form",
      {
        novalidate: true,
        "aria-label": "Request a callback",
        onsubmit: (event) => submit(event, form as HTMLFormElement),
      },
      h("p", { class: "mt" }, intro),
      ...field("name", "Name", h("input", { autocomplete: "name", required: true, maxlength: 100 })),
      ...field(
        "phone",
        "Phone number",
        h("input", { type: "tel", autocomplete: "tel", inputmode: "tel", required: true, maxlength: 30 }),
      ),
      ...field(
        "message",
        ["Message ", h("span", {}, "(optional)")],
        h("textarea", { rows: 3, maxlength: 500 }),
      ),
      h("p", { class: "n", role: "status" }, formNote),
      h(
        "button",
        { type: "submit", class: "btn pr", disabled: sending },
        sending ? "Sending…" : "Request a callback",
      ),
    );
    return form;
  }

  async function submit(event: Event, form: HTMLFormElement) {
    event.preventDefault();
    if (sending) return;
    const data = new FormData(form);
    values = {};
    for (const key of ["name", "phone", "message"]) values[key] = String(data.get(key) ?? "").trim();
    fieldErrors = {};
    formNote = "";
    const digits = values.phone?.replace(/\D/g, "").length ?? 0;
    if (!values.name) fieldErrors.name = "Enter your name.";
    if (!values.phone) fieldErrors.phone = "Enter your phone number.";
    else if (digits < 10 || digits > 15)
      fieldErrors.phone = "Enter a full phone number, like (555) 123-4567.";
    if (!Object.keys(fieldErrors).length) {
      if (ctx.preview) {
        formNote = "Preview: requests are not sent.";
      } else {
        sending = true;
        render();
        const result = await captchaThen((captchaToken) =>
          requestCallback(ctx.cfg.apiOrigin, {
            button: ctx.cfg.id,
            name: values.name ?? "",
            phone: values.phone ?? "",
            ...(values.message ? { message: values.message } : {}),
            captchaToken,
          }),
        );
        sending = false;
        if (result === true) {
          values = {};
          return send({ t: "sent" });
        }
        fieldErrors = result.fieldErrors;
        formNote = result.message;
      }
    }
    render();
    const invalid = body.querySelector<HTMLElement>("[aria-invalid=true]");
    (invalid ?? body.querySelector<HTMLElement>(".pr"))?.focus();
  }

  /** With the captcha on, a fresh token for this request (action "callback"); else none. */
  async function captchaThen(request: (token?: string) => Promise<CallbackResult>): Promise<CallbackResult> {
    const siteKey = ctx.cfg.captchaSiteKey;
    if (!siteKey) return request();
    formCaptcha = new AbortController();
    try {
      return request(await captchaToken(siteKey, captchaBox, formCaptcha.signal, "callback"));
    } catch {
      return { message: "We couldn't verify that you're a person. Please try again.", fieldErrors: {} };
    }
  }

  function home(): Child[] {
    const cfg = ctx.cfg;
    const s = ctx.status();
    if (!s.open) {
      const closed = h("p", { class: "st", role: "status" }, s.text);
      return cfg.closedBehavior === "callback"
        ? [closed, callbackForm("Leave your number and we'll call you back when we're open.")]
        : [closed, h("p", { class: "mt" }, "We'll be glad to take your call then."), closeBtn()];
    }
    const canCall = cfg.callable && start !== null;
    return canCall
      ? [
          h("p", { class: "mt" }, "Talk to us now, right from your browser."),
          btn("Call now", placeCall, "pr", { "data-focus": true }),
          callbackForm("Or leave your number and we'll call you back."),
        ]
      : [callbackForm("Leave your number and we'll call you back shortly.")];
  }

  function callFrame(): Child[] {
    switch (view.v) {
      case "home":
        return home();
      case "sent":
        return [h("p", { class: "st", role: "status" }, "Thanks — we'll call you back."), closeBtn()];
      case "permission":
        return [
          h("p", { class: "st" }, "Allow your microphone"),
          h(
            "p",
            { class: "mt" },
            "Your browser will ask to use the microphone. Choose Allow to start the call.",
          ),
          btn("Cancel", hangUp, "", { "data-focus": true }),
        ];
      case "connecting":
      case "ringing":
        return [
          h("p", { class: "big" }, view.v === "ringing" ? "Ringing…" : "Connecting…"),
          btn(view.v === "ringing" ? "Hang up" : "Cancel", hangUp, "hang", { "data-focus": true }),
        ];
      case "connected": {
        const v = view;
        const pad = v.keypad
          ? h(
              "div",
              { class: "kp", role: "group", "aria-label": "Keypad" },
              ..."123456789*0#".split("").map((digit) =>
                btn(digit, () => {
                  session?.dtmf(digit);
                  send({ t: "digit", digit });
                }),
              ),
            )
          : null;
        return [
          h("p", { class: "ctr mt" }, "Connected"),
          h(
            "p",
            { class: "big", "aria-label": "Call duration" },
            h("span", { class: "tm" }, elapsed(v.since)),
          ),
          v.keypad ? h("p", { class: "dg", "aria-live": "polite" }, v.digits) : null,
          pad,
          h(
            "div",
            { class: "r" },
            btn(
              "Mute",
              () => {
                session?.mute(!v.muted);
                send({ t: "mute" });
              },
              "",
              { "aria-pressed": String(v.muted) },
            ),
            btn("Keypad", () => send({ t: "keypad" }), "", { "aria-pressed": String(v.keypad) }),
          ),
          btn("Hang up", hangUp, "hang"),
        ];
      }
      case "ended":
        return [
          h(
            "p",
            { class: "st", role: "status" },
            `Call ended${view.seconds ? ` · ${formatDuration(view.seconds)}` : ""}`,
          ),
          h(
            "div",
            { class: "r" },
            closeBtn(),
            btn("Back", () => send({ t: "reset" })),
          ),
        ];
      case "failed": {
        const cause = view.cause;
        return [
          h(
            "p",
            { class: "st", role: "alert" },
            cause === "closed" && !ctx.status().open
              ? ctx.status().text
              : unanswered.includes(cause)
                ? "No one could take your call"
                : "The call didn't go through",
          ),
          h("p", { class: "mt" }, failMessages[cause]),
          h(
            "div",
            { class: "r" },
            retryable.includes(cause) ? btn("Try again", placeCall, "pr") : null,
            btn("Back", () => send({ t: "reset" }), "", { "data-focus": true }),
          ),
          offerCallback.includes(cause) && !ctx.preview
            ? callbackForm("Leave your number and we'll call you back.")
            : null,
        ];
      }
    }
  }

  const elapsed = (since: number) => formatDuration(Math.max(0, Math.floor((Date.now() - since) / 1000)));

  const liveText: Partial<Record<CallView["v"], string>> = {
    permission: "Waiting for microphone permission",
    connecting: "Connecting",
    ringing: "Ringing",
    connected: "Connected",
    ended: "Call ended",
  };

  let lastView: CallView["v"] = view.v;

  function render() {
    const hadFocus = dialog.contains(root.activeElement);
    const focusedName = (root.activeElement as HTMLInputElement | null)?.name;
    if (view.v === "home" || view.v === "failed") {
      // Keep what the visitor typed across re-renders (hours boundary, preview config change).
      for (const el of body.querySelectorAll<HTMLInputElement>("input,textarea")) values[el.name] = el.value;
    }
    title.textContent = ctx.cfg.label;
    body.replaceChildren(...(callFrame().filter(Boolean) as Node[]));
    clearInterval(timer);
    if (view.v === "connected") {
      const since = view.since;
      timer = setInterval(() => {
        const tm = body.querySelector(".tm");
        if (tm) tm.textContent = elapsed(since);
      }, 1000);
    }
    if (view.v !== lastView) {
      lastView = view.v;
      live.textContent = liveText[view.v] ?? "";
      if (hadFocus || !dialog.hidden) focusFirst();
    } else if (hadFocus && focusedName) {
      body.querySelector<HTMLElement>(`[name="${focusedName}"]`)?.focus();
    } else if (hadFocus && !dialog.contains(root.activeElement)) {
      focusFirst();
    }
  }

  /** Keeps a corner dialog just above the button, whatever the button's size. */
  function place() {
    const ref = ctx.preview ? (root.host as HTMLElement).getBoundingClientRect().bottom : window.innerHeight;
    const offset = Math.round(ref - button.getBoundingClientRect().top + 12);
    dialog.style.setProperty("--o", `${Math.max(offset, 16)}px`);
  }

  const ui: CallUi = {
    open(from) {
      if (!dialog.hidden) return;
      returnTo = from ?? null;
      if (!inCall(view) && view.v !== "home") view = { v: "home" };
      if (view.v === "home") {
        formNote = "";
        fieldErrors = {};
      }
      render();
      place();
      dialog.hidden = false;
      button.setAttribute("aria-expanded", "true");
      focusFirst();
    },
    close() {
      if (dialog.hidden) return;
      formCaptcha?.abort();
      dialog.hidden = true;
      button.setAttribute("aria-expanded", "false");
      (returnTo ?? button).focus();
    },
    update() {
      if (!dialog.hidden) place();
      if (!dialog.hidden && (view.v === "home" || view.v === "failed")) render();
      else title.textContent = ctx.cfg.label;
    },
    isOpen: () => !dialog.hidden,
  };
  return ui;
}

type CallbackInput = { button: string; name: string; phone: string; message?: string; captchaToken?: string };
type CallbackResult = true | { message: string; fieldErrors: Record<string, string> };

/**
 * POSTs the request to tRPC (`widget.requestCallback`, superjson wire format). A refusal (blocked,
 * too many requests and when to retry, captcha, test mode) comes with the server's words for the
 * visitor, shown as they are.
 */
export async function requestCallback(apiOrigin: string, input: CallbackInput): Promise<CallbackResult> {
  let res: Response;
  try {
    res = await fetch(`${apiOrigin}/trpc/widget.requestCallback`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ json: input }),
      credentials: "omit",
    });
  } catch {
    return {
      message: "We couldn't send your request. Check your connection, then try again.",
      fieldErrors: {},
    };
  }
  type Wire = {
    result?: { data?: { json?: { ok?: boolean } } };
    error?: { json?: { message?: string; data?: { fieldErrors?: Record<string, string[]> | null } } };
  };
  const body = (await res.json().catch(() => ({}))) as Wire;
  if (res.ok && body.result?.data?.json?.ok) return true;
  const fieldErrors: Record<string, string> = {};
  const others: string[] = [];
  for (const [key, messages] of Object.entries(body.error?.json?.data?.fieldErrors ?? {})) {
    if (!messages?.[0]) continue;
    if (key === "name" || key === "phone" || key === "message") fieldErrors[key] = messages[0];
    else others.push(messages[0]);
  }
  const message = Object.keys(fieldErrors).length
    ? others.join(" ")
    : body.error?.json?.message || "We couldn't send your request. Please try again in a moment.";
  return { message, fieldErrors };
}
