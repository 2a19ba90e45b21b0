// @vitest-environment happy-dom
/**
 * The widget's link to the API is typed by the server's router. The type assertions here are
 * checked by `npm run typecheck` (tsc reads the widget's tests); the runtime ones check that the
 * wire stays tRPC's (superjson's `{"json": …}` envelope, no cookies).
 */
import type { AppErrorCode, RouterInputs, RouterOutputs } from "@cac/trpc";
import { afterEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import {
  causeOf,
  type EventOf,
  type Input,
  type MutationPath,
  type Output,
  RpcError,
  rpc,
  type SubscriptionPath,
} from "../src/transport-api";
import type { CallFailCause } from "../src/types";
import { json } from "./helpers";

/** What crosses the wire without superjson's `meta`, which the widget neither sends nor reads. */
type Json = string | number | boolean | null | undefined | readonly Json[] | { readonly [key: string]: Json };

/** Widget procedures whose input, output or events would not survive plain JSON. */
type NotJson =
  | { [P in MutationPath]: [Input<P>, Output<P>] extends [Json, Json] ? never : P }[MutationPath]
  | { [P in SubscriptionPath]: [Input<P>, EventOf<P>] extends [Json, Json] ? never : P }[SubscriptionPath];

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("rpc() is typed by the router", () => {
  it("takes RouterInputs and resolves to RouterOutputs of the path it names", async () => {
    expectTypeOf<Input<"calls.start">>().toEqualTypeOf<RouterInputs["calls"]["start"]>();
    expectTypeOf<Output<"calls.start">>().toEqualTypeOf<RouterOutputs["calls"]["start"]>();
    expectTypeOf<Input<"widget.requestCallback">>().toEqualTypeOf<
      RouterInputs["widget"]["requestCallback"]
    >();
    expectTypeOf(rpc<"calls.signal">)
      .parameter(2)
      .toEqualTypeOf<RouterInputs["calls"]["signal"]>();
    expectTypeOf(rpc<"calls.hangUp">).returns.resolves.toEqualTypeOf<RouterOutputs["calls"]["hangUp"]>();

    const answer = { ok: true, ended: true } satisfies Output<"calls.reportFailure">;
    const fetchMock = vi.fn(async (_url: string, _init: RequestInit) =>
      json({ result: { data: { json: answer } } }),
    );
    vi.stubGlobal("fetch", fetchMock);
    const input = { button: "b_test", sessionId: "s", token: "t", reason: "Twilio could not be reached." };
    const result = await rpc("https://api.cac.test", "calls.reportFailure", input);
    expectTypeOf(result).toEqualTypeOf<RouterOutputs["calls"]["reportFailure"]>();
    expect(result).toEqual(answer);
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe("https://api.cac.test/trpc/calls.reportFailure");
    expect(init).toMatchObject({ method: "POST", credentials: "omit", keepalive: false });
    expect(JSON.parse(String(init.body))).toEqual({ json: input });
  });

  it("names only widget procedures: a portal one, a query or a subscription is a type error", async () => {
    expectTypeOf<"calls.start">().toExtend<MutationPath>();
    expectTypeOf<"calls.signal" | "calls.hangUp" | "calls.reportFailure">().toExtend<MutationPath>();
    expectTypeOf<"widget.requestCallback">().toExtend<MutationPath>();
    expectTypeOf<"calls.events">().toExtend<SubscriptionPath>();
    expectTypeOf<"calls.events">().not.toExtend<MutationPath>();
    // Portal procedures need the session cookie the widget never sends.
    expectTypeOf<"account.me">().not.toExtend<MutationPath | SubscriptionPath>();
    expectTypeOf<"buttons.create">().not.toExtend<MutationPath>();
    expectTypeOf<"phone.events">().not.toExtend<SubscriptionPath>();

    const fetchMock = vi.fn(async () => json({ result: { data: { json: { ok: true } } } }));
    vi.stubGlobal("fetch", fetchMock);
    // @ts-expect-error a portal procedure is not a widget call
    await rpc("https://api.cac.test", "account.close", {});
    // @ts-expect-error an input the server does not take
    await rpc("https://api.cac.test", "calls.hangUp", { button: "b", sessionId: "s" });
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it("keeps every widget input, output and event plain JSON (a Date would arrive as a string)", () => {
    expectTypeOf<NotJson>().toEqualTypeOf<never>();
    // The check is not vacuous: it refuses what superjson would carry in `meta`.
    expectTypeOf<{ at: Date }>().not.toExtend<Json>();
    expectTypeOf<{ ids: Set<string> }>().not.toExtend<Json>();
    expectTypeOf<{ n: bigint }>().not.toExtend<Json>();
    expect(JSON.parse(JSON.stringify({ at: new Date(0) })).at).toBe("1970-01-01T00:00:00.000Z");
  });

  it("types the events of calls.events from the server's VisitorEvent", () => {
    type Event = EventOf<"calls.events">;
    expectTypeOf<Event["type"]>().toEqualTypeOf<"ringing" | "answered" | "signal" | "ended">();
    expectTypeOf<Extract<Event, { type: "signal" }>["payload"]>().toEqualTypeOf<
      RouterInputs["calls"]["signal"]["payload"]
    >();
    const ended: Event = { type: "ended", status: "completed", reason: null, durationSeconds: 3 };
    expect(ended.type).toBe("ended");
  });
});

describe("refusals are keyed by the server's codes", () => {
  it("reads a refusal's appCode, typed as the server's AppErrorCode, as the dialog's cause", async () => {
    expectTypeOf<NonNullable<RpcError["shape"]>["data"]["appCode"]>().toEqualTypeOf<AppErrorCode | null>();
    expectTypeOf(causeOf).returns.toEqualTypeOf<CallFailCause>();
    const refusal = (appCode: string) =>
      json({ error: { json: { message: "no", code: -32600, data: { appCode } } } }, 503);
    vi.stubGlobal("fetch", vi.fn().mockResolvedValueOnce(refusal("NO_AGENT_AVAILABLE")));
    const error = await rpc("https://api.cac.test", "calls.start", { button: "b" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).status).toBe(503);
    expect(causeOf(error)).toBe("no-agent");
    // A code the server uses only for the portal reads as generic.
    vi.stubGlobal("fetch", vi.fn().mockResolvedValueOnce(refusal("WRONG_PASSWORD")));
    expect(causeOf(await rpc("https://api.cac.test", "calls.start", { button: "b" }).catch((e) => e))).toBe(
      "generic",
    );
  });
});
