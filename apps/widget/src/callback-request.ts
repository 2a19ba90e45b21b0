/**
 * `widget.requestCallback`: the visitor asks to be called back. A refusal (blocked, too many
 * requests and when to retry, captcha, test mode) comes with the server's words for the visitor,
 * shown as they are in English; field errors go next to their fields. The server speaks only
 * English, so in another language the refusal is told in the table's words instead.
 */
import type { Strings } from "./i18n/en";
import { type Input, RpcError, rpc } from "./transport-api";

export type CallbackInput = Input<"widget.requestCallback">;
/** The fields the visitor fills in; a server error on any other field joins the message. */
export type CallbackField = Exclude<keyof CallbackInput, "button" | "captchaToken" | "language">;
/** `true` when the request was accepted, else what to tell the visitor. */
export type CallbackOutcome = true | { message: string; fieldErrors: Partial<Record<CallbackField, string>> };

const fields: readonly string[] = ["name", "phone", "message"] satisfies CallbackField[];

export async function requestCallback(
  apiOrigin: string,
  input: CallbackInput,
  t: Strings,
): Promise<CallbackOutcome> {
  try {
    await rpc(apiOrigin, "widget.requestCallback", input);
    return true;
  } catch (error) {
    if (!(error instanceof RpcError)) return { message: t.form.offline, fieldErrors: {} };
    const english = input.language === undefined || input.language === "en";
    const own: Record<string, string> = {
      name: t.form.nameInvalid,
      phone: t.form.phoneInvalid,
      message: t.form.messageInvalid,
    };
    const fieldErrors: Partial<Record<CallbackField, string>> = {};
    const others: string[] = [];
    for (const [key, messages] of Object.entries(error.shape?.data?.fieldErrors ?? {})) {
      if (!messages?.[0]) continue;
      if (fields.includes(key))
        fieldErrors[key as CallbackField] = english ? messages[0] : (own[key] as string);
      else others.push(english ? messages[0] : t.form.failed);
    }
    const code = error.shape?.data?.appCode;
    const message = Object.keys(fieldErrors).length
      ? [...new Set(others)].join(" ")
      : english
        ? error.shape?.message || t.form.failed
        : code === "RATE_LIMITED"
          ? t.form.rateLimited
          : code === "IP_BLOCKED"
            ? t.form.blocked
            : code === "CAPTCHA_FAILED"
              ? t.form.captcha
              : t.form.failed;
    return { message, fieldErrors };
  }
}
