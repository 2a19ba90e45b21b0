/**
 * `widget.requestCallback`: the visitor asks to be called back. A refusal (blocked, too many
 * requests and when to retry, captcha, test mode) comes with the server's words for the visitor,
 * shown as they are; field errors go next to their fields.
 */
import { type Input, RpcError, rpc } from "./transport-api";

export type CallbackInput = Input<"widget.requestCallback">;
/** The fields the visitor fills in; a server error on any other field joins the message. */
export type CallbackField = Exclude<keyof CallbackInput, "button" | "captchaToken">;
/** `true` when the request was accepted, else what to tell the visitor. */
export type CallbackOutcome = true | { message: string; fieldErrors: Partial<Record<CallbackField, string>> };

const fields: readonly string[] = ["name", "phone", "message"] satisfies CallbackField[];

export async function requestCallback(apiOrigin: string, input: CallbackInput): Promise<CallbackOutcome> {
  try {
    await rpc(apiOrigin, "widget.requestCallback", input);
    return true;
  } catch (error) {
    if (!(error instanceof RpcError)) {
      return {
        message: "We couldn't send your request. Check your connection, then try again.",
        fieldErrors: {},
      };
    }
    const fieldErrors: Partial<Record<CallbackField, string>> = {};
    const others: string[] = [];
    for (const [key, messages] of Object.entries(error.shape?.data?.fieldErrors ?? {})) {
      if (!messages?.[0]) continue;
      if (fields.includes(key)) fieldErrors[key as CallbackField] = messages[0];
      else others.push(messages[0]);
    }
    const message = Object.keys(fieldErrors).length
      ? others.join(" ")
      : error.shape?.message || "We couldn't send your request. Please try again in a moment.";
    return { message, fieldErrors };
  }
}
