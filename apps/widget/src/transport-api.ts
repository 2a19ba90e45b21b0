/**
 * tRPC as the widget speaks it, without a client library: mutations are `POST /trpc/<path>` with
 * the superjson envelope `{"json": input}`, never with cookies (widget procedures check the Origin
 * against the button's allowed domains instead).
 */
import type { CallFailCause } from "./transport";

/** A refusal from the server: its `appCode` (e.g. "NO_AGENT_AVAILABLE") when it has one. */
export class RpcError extends Error {
  constructor(
    message: string,
    readonly appCode: string | null,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function rpc<T>(apiOrigin: string, path: string, input: unknown, keepalive = false): Promise<T> {
  const res = await fetch(`${apiOrigin}/trpc/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ json: input }),
    credentials: "omit",
    keepalive,
  });
  type Wire = {
    result?: { data?: { json?: T } };
    error?: { json?: { message?: string; data?: { appCode?: string | null } } };
  };
  const body = (await res.json().catch(() => ({}))) as Wire;
  if (res.ok && body.result) return body.result.data?.json as T;
  const error = body.error?.json;
  throw new RpcError(error?.message || `HTTP ${res.status}`, error?.data?.appCode ?? null, res.status);
}

/** `calls.start` refusals, by app code, as the failure the dialog explains. */
const refusals: Record<string, CallFailCause> = {
  BUTTON_CLOSED: "closed",
  IP_BLOCKED: "blocked",
  RATE_LIMITED: "rate-limited",
  OVER_QUOTA: "over-quota",
  CAPTCHA_FAILED: "captcha",
  NO_AGENT_AVAILABLE: "no-agent",
  UNAVAILABLE: "unavailable",
  LIVE_UNAVAILABLE: "outage",
  ORIGIN_NOT_ALLOWED: "unavailable",
  ACCOUNT_UNVERIFIED: "unavailable",
  NOT_FOUND: "unavailable",
};

/** Why a request failed, for the visitor: a refusal's cause, offline, or generic. */
export function causeOf(error: unknown): CallFailCause {
  if (error instanceof RpcError) return refusals[error.appCode ?? ""] ?? "generic";
  return navigator.onLine === false ? "offline" : "generic";
}
