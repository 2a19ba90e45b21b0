/**
 * The callback request form: on the home frame (behind "Request a callback" when a call can be
 * placed), while closed (callback behaviour), and in every failed state. It checks the fields
 * first, then sends through `requestCallback` (after a Turnstile check, action "callback", when
 * the captcha is on). What the visitor types is kept here as they type, not in the DOM, so it
 * survives re-renders and every switch between states; errors are tied to their fields
 * (`aria-invalid`, `aria-describedby`).
 */
import { type CallbackField, type CallbackOutcome, requestCallback } from "../callback-request";
import { captchaToken } from "../captcha";
import { codeOf } from "../i18n/own-texts";
import type { WidgetContext } from "../types";
import { visitorContext } from "../visitor-context";
import { type Child, h } from "./dom";

export type CallbackForm = {
  /** The form, with what the visitor typed and the last answer. */
  render(intro: string): HTMLElement;
  /** Forgets the last answer and field errors (the dialog opens again, or a call failed). */
  clear(): void;
  /** The visitor asked for the form where "Call now" leads (home then shows it first); the dialog sets it. */
  shown: boolean;
  /** Cancels a captcha check in progress (the dialog closed). */
  cancel(): void;
};

export type FormHost = {
  /** The dialog's body, re-rendered on every change. */
  body: HTMLElement;
  /** Where Turnstile's challenge shows: outside the body, so its frame survives re-renders. */
  captchaBox: HTMLElement;
  render(): void;
  /** The request was accepted. */
  sent(): void;
};

type Texts = Partial<Record<CallbackField, string>>;

export function callbackForm(ctx: WidgetContext, host: FormHost): CallbackForm {
  let values: Texts = {};
  let errors: Texts = {};
  let note = "";
  let sending = false;
  let captcha: AbortController | undefined;

  function field(name: CallbackField, label: Child, input: HTMLElement) {
    const error = errors[name];
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

  /** With the captcha on, a fresh token for this request (action "callback"); else none. */
  async function send(): Promise<CallbackOutcome> {
    const { t } = ctx.w;
    const input = {
      button: ctx.cfg.id,
      name: values.name ?? "",
      phone: values.phone ?? "",
      ...(values.message ? { message: values.message } : {}),
      language: codeOf(t),
      context: visitorContext(ctx.cfg),
    };
    const siteKey = ctx.cfg.captchaSiteKey;
    if (!siteKey) return requestCallback(ctx.cfg.apiOrigin, input, t);
    captcha = new AbortController();
    let token: string;
    try {
      token = await captchaToken(siteKey, host.captchaBox, captcha.signal, "callback");
    } catch {
      return { message: t.form.captcha, fieldErrors: {} };
    }
    return requestCallback(ctx.cfg.apiOrigin, { ...input, captchaToken: token }, t);
  }

  async function submit(event: Event, form: HTMLFormElement) {
    event.preventDefault();
    if (sending) return;
    const data = new FormData(form);
    values = {};
    for (const key of ["name", "phone", "message"] as const) values[key] = String(data.get(key) ?? "").trim();
    errors = {};
    note = "";
    const digits = values.phone?.replace(/\D/g, "").length ?? 0;
    const words = ctx.w.t.form;
    if (!values.name) errors.name = words.nameRequired;
    if (!values.phone) errors.phone = words.phoneRequired;
    else if (digits < 10 || digits > 15) errors.phone = words.phoneInvalid;
    if (!Object.keys(errors).length) {
      if (ctx.preview) {
        note = words.preview;
      } else {
        sending = true;
        host.render();
        const outcome = await send();
        sending = false;
        if (outcome === true) {
          values = {};
          return host.sent();
        }
        errors = outcome.fieldErrors;
        note = outcome.message;
      }
    }
    host.render();
    const invalid = host.body.querySelector<HTMLElement>("[aria-invalid=true]");
    (invalid ?? host.body.querySelector<HTMLElement>(".pr"))?.focus();
  }

  return {
    render(intro) {
      const { common, form: words } = ctx.w.t;
      const form = h(
        "form",
        {
          novalidate: true,
          "aria-label": common.requestCallback,
          onsubmit: (event) => submit(event, form as HTMLFormElement),
          oninput: (event) => {
            const el = event.target as HTMLInputElement;
            values[el.name as CallbackField] = el.value;
          },
        },
        h("p", { class: "mt" }, intro),
        ...field("name", words.name, h("input", { autocomplete: "name", required: true, maxlength: 100 })),
        ...field(
          "phone",
          words.phone,
          h("input", { type: "tel", autocomplete: "tel", inputmode: "tel", required: true, maxlength: 30 }),
        ),
        ...field(
          "message",
          [`${words.message} `, h("span", {}, words.optional)],
          h("textarea", { rows: 3, maxlength: 500 }),
        ),
        h("p", { class: "n", role: "status" }, note),
        h(
          "button",
          { type: "submit", class: "btn pr", disabled: sending },
          sending ? words.sending : common.requestCallback,
        ),
      );
      return form;
    },
    shown: false,
    clear() {
      note = "";
      errors = {};
    },
    cancel: () => captcha?.abort(),
  };
}
