/**
 * The widget's one link to the API. Every procedure it calls is named by its path, and the path's
 * input, output, events and refusal codes come from the server's router (`@cac/trpc`, imported as
 * types only, so the build erases them: no bytes are added). A server change that breaks visitors
 * is a type error here, not a surprise on a customer's site.
 *
 * tRPC as the widget speaks it, without a client library and never with cookies (widget
 * procedures check the Origin against the button's allowed domains instead):
 * - mutations: `POST /trpc/<path>` with the body `{"json": input}`; the answer is
 *   `{"result":{"data":{"json": output}}}` or `{"error":{"json": errorShape}}`;
 * - subscriptions: server-sent events (sse.ts), the input in the query string as `{"json": input}`.
 * That is superjson's envelope without its `meta`, so inputs, outputs and events must be plain
 * JSON (test/api-types.test.ts fails for a Date, Map, Set or bigint in a widget procedure).
 */
import type { AppErrorCode, AppRouter, RouterInputs, RouterOutputs } from "@cac/trpc";
import { subscribe } from "./sse";
import type { CallFailCause } from "./types";

type Procedures = AppRouter["_def"]["record"];
type Domain = keyof Procedures & string;
/** "domain.name" of every procedure (the app router nests its domain routers one level deep). */
type Paths = { [D in Domain]: `${D}.${keyof Procedures[D] & string}` }[Domain];
/** `T["domain"]["name"]` for the path "domain.name". */
type At<T, P> = P extends `${infer D}.${infer N}`
  ? D extends keyof T
    ? N extends keyof T[D]
      ? T[D][N]
      : never
    : never
  : never;
/**
 * The widget procedures of one kind. The widget tier adds `button` to every input, so a portal
 * procedure (which needs the session cookie the widget never sends) is not among them.
 */
type PathOf<Kind> = {
  [P in Paths]: At<Procedures, P> extends { _def: { type: Kind } }
    ? At<RouterInputs, P> extends { button: string }
      ? P
      : never
    : never;
}[Paths];

export type MutationPath = PathOf<"mutation">;
export type SubscriptionPath = PathOf<"subscription">;
export type WidgetPath = MutationPath | SubscriptionPath;
export type Input<P extends WidgetPath> = At<RouterInputs, P>;
export type Output<P extends WidgetPath> = At<RouterOutputs, P>;
/**
 * One event of a subscription, as its data arrives (a tracked event's id comes apart, as the SSE
 * `id` that sse.ts sends back on a reconnect).
 */
export type EventOf<P extends SubscriptionPath> =
  Output<P> extends AsyncIterable<infer E> ? (E extends { id: string; data: infer D } ? D : E) : never;
/** The capability `calls.start` gives for one call; every later call procedure takes it. */
export type CallCapability = Input<"calls.events">;
/** A refusal as the server's error formatter shapes it (message, appCode, fieldErrors…). */
export type ErrorShape = AppRouter["_def"]["_config"]["$types"]["errorShape"];

/** A refusal from the server, with its shape when it sent one (not, say, a proxy's 502 page). */
export class RpcError extends Error {
  constructor(
    readonly shape: ErrorShape | undefined,
    readonly status: number,
  ) {
    super(shape?.message || `HTTP ${status}`);
  }
}

/** Calls a widget mutation. Rejects with an RpcError for a refusal, or the fetch error offline. */
export async function rpc<P extends MutationPath>(
  apiOrigin: string,
  path: P,
  input: Input<P>,
  keepalive = false,
): Promise<Output<P>> {
  const res = await fetch(`${apiOrigin}/trpc/${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ json: input }),
    credentials: "omit",
    keepalive,
  });
  type Wire = { result?: { data: { json: Output<P> } }; error?: { json: ErrorShape } };
  const body = (await res.json().catch(() => ({}))) as Wire;
  if (res.ok && body.result) return body.result.data.json;
  throw new RpcError(body.error?.json, res.status);
}

/** Listens to a widget subscription until the returned function is called; `onError` once if it fails. */
export const listen = <P extends SubscriptionPath>(
  apiOrigin: string,
  path: P,
  input: Input<P>,
  onData: (event: EventOf<P>) => void,
  onError: () => void,
): (() => void) => subscribe(`${apiOrigin}/trpc/${path}`, input, onData, onError);

/**
 * Server codes that tell a visitor nothing more than "the call couldn't be connected": no widget
 * call refuses with them (they belong to the portal, or to a bug), so they read as "generic".
 */
type GenericCodes = Codes<
  | "BAD_INPUT"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "CONFLICT"
  | "PLAN_LIMIT"
  | "STORAGE_QUOTA"
  | "INVALID_TOKEN"
  | "WRONG_PASSWORD"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "TOO_MANY_STREAMS"
>;
/** Fails typecheck for a name the server does not have (any more). */
type Codes<T extends AppErrorCode> = T;

/**
 * `calls.start` refusals, by the server's code, as the failure the dialog explains. Checked
 * against the server's union: a new code fails typecheck here until it is given a cause or listed
 * in GenericCodes (which costs no bytes).
 */
const refusals = {
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
} satisfies Record<Exclude<AppErrorCode, GenericCodes>, CallFailCause>;

/** Why a request failed, for the visitor: a refusal's cause, offline, or generic. */
export function causeOf(error: unknown): CallFailCause {
  if (error instanceof RpcError) {
    const code = error.shape?.data?.appCode;
    // A code this (possibly cached) widget does not know yet reads as generic.
    return (code && (refusals as Partial<Record<AppErrorCode, CallFailCause>>)[code]) || "generic";
  }
  return navigator.onLine === false ? "offline" : "generic";
}
