/**
 * Who can take a call now, end to end over HTTP: a member is reachable only when set available,
 * inside their own working hours (if set) and holding a live phone panel stream; the widget's
 * `widget.callable` says only yes or no, is cached at most 10 s (5 s on the server, 5 s in the
 * browser) and flips at once when a panel closes; a call that still finds nobody is logged as
 * `unavailable` and the owners are emailed as for a missed call.
 */
import { callSessions, memberships } from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  loginAgent,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";
import { readSse, type SseStream, subscriptionUrl } from "./sse-reader";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    limits: { "callable.ip": LIFTED, "callable.button": LIFTED, "call.ip": LIFTED, "call.button": LIFTED },
  });
}, HARNESS_TIMEOUT_MS);
afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

type Owner = { client: TestClient; email: string; userId: string; accountId: string; button: string };

async function owner(): Promise<Owner> {
  const { client, email } = await signupVerified(h);
  const member = await memberByEmail(h.db.db, email);
  const button = await client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
  return { client, email, userId: member.id, accountId: member.accountId, button: button.publicId };
}

const panels: SseStream[] = [];
async function openPanel(o: Owner) {
  const stream = await readSse(subscriptionUrl(h.url, "phone.events"), { fetch: o.client.fetch });
  expect(stream.status).toBe(200);
  panels.push(stream);
  // The stream is held once the server sent its first bytes.
  await stream.waitFor(0);
  return stream;
}
afterAll(() => {
  for (const panel of panels) panel.drop();
});

/** widget.callable as the widget's loader asks it, from the button's site. */
async function askCallable(button: string, origin = "https://shop.test") {
  const input = encodeURIComponent(JSON.stringify({ json: { button } }));
  return fetch(`${h.url}/trpc/widget.callable?input=${input}`, {
    headers: { origin, "x-forwarded-for": uniqueIp() },
  });
}
async function callable(button: string): Promise<boolean> {
  const res = await askCallable(button);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { result: { data: { json: { callable: boolean } } } };
  return body.result.data.json.callable;
}

/** Waits (polling) until the panel's presence reached the store: a stream is held once it is open. */
async function until(check: () => Promise<boolean>, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("reachable members", () => {
  it("available without a live panel stream is not reachable; a stream without availability neither", async () => {
    const o = await owner();
    await o.client.trpc.phone.setAvailable.mutate({ available: true });
    expect(await o.client.trpc.phone.availability.query()).toMatchObject({
      available: true,
      reachable: false,
    });
    expect(await callable(o.button)).toBe(false);

    await o.client.trpc.phone.setAvailable.mutate({ available: false });
    const panel = await openPanel(o);
    expect(await o.client.trpc.phone.availability.query()).toMatchObject({
      available: false,
      reachable: false,
    });
    expect(await callable(o.button)).toBe(false);

    // Both: reachable, and the widget may offer the call.
    await o.client.trpc.phone.setAvailable.mutate({ available: true });
    await until(async () => (await o.client.trpc.phone.availability.query()).reachable);
    expect(await callable(o.button)).toBe(true);
    panel.drop();
  });

  it("outside the member's own working hours is not reachable; inside, it is", async () => {
    const o = await owner();
    await o.client.trpc.phone.setAvailable.mutate({ available: true });
    const panel = await openPanel(o);
    await until(() => callable(o.button));
    // The harness clock's weekday, in the account's timezone (America/New_York).
    const weekday = new Date(h.clock.now().getTime() - 5 * 3600_000).getUTCDay();
    const closedToday = Array.from({ length: 7 }, (_, day) =>
      day === weekday ? [] : [{ start: 0, end: 1440 }],
    );
    const saved = await o.client.trpc.phone.setHours.mutate({ hours: closedToday });
    expect(saved).toEqual({ hours: closedToday, timezone: "America/New_York" });
    expect(await o.client.trpc.phone.availability.query()).toMatchObject({
      available: true,
      reachable: false,
    });
    expect(await callable(o.button)).toBe(false);
    await o.client.trpc.phone.setHours.mutate({ hours: alwaysOpen });
    expect(await callable(o.button)).toBe(true);
    // The account's data export carries each member's working hours.
    const exported = (await (await o.client.fetch(`${h.url}/exports/account.json`)).json()) as {
      users: Array<{ id: string; workingHours: unknown }>;
    };
    expect(exported.users.find((user) => user.id === o.userId)?.workingHours).toEqual(alwaysOpen);
    await o.client.trpc.phone.setHours.mutate({ hours: null });
    expect(await o.client.trpc.phone.availability.query()).toMatchObject({ reachable: true, hours: null });
    panel.drop();
  });

  it("refuses hours the button editor would refuse, with a reason", async () => {
    const o = await owner();
    const error = await expectTrpcError(
      o.client.trpc.phone.setHours.mutate({ hours: [[{ start: 600, end: 600 }], [], [], [], [], [], []] }),
    );
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.fieldErrors?.hours?.length).toBeGreaterThan(0);
  });
});

describe("widget.callable", () => {
  it("answers only yes or no, cacheable for at most 10 s, and only on the button's sites", async () => {
    const o = await owner();
    const res = await askCallable(o.button);
    expect(res.status).toBe(200);
    const cacheControl = res.headers.get("cache-control") ?? "";
    const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(10);
    expect(cacheControl).not.toMatch(/stale-while-revalidate/);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://shop.test");
    const body = await res.json();
    // Nothing but the answer: no member, no count.
    expect(body).toEqual({ result: { data: { json: { callable: false } } } });
    const text = JSON.stringify(body);
    expect(text).not.toContain(o.userId);
    expect(text).not.toContain(o.email);

    const foreign = await askCallable(o.button, "https://evil.test");
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("cache-control") ?? "").not.toMatch(/max-age=[1-9]/);
  });

  it("flips to no as soon as the panel closes (the server's copy is dropped at once)", async () => {
    const o = await owner();
    await o.client.trpc.phone.setAvailable.mutate({ available: true });
    const panel = await openPanel(o);
    await until(() => callable(o.button));
    expect(await callable(o.button)).toBe(true);
    panel.drop();
    await until(async () => !(await callable(o.button)), 2000);
    // And back when a panel opens again.
    const again = await openPanel(o);
    await until(() => callable(o.button), 2000);
    // Turning the switch off elsewhere: no at once too.
    await o.client.trpc.phone.setAvailable.mutate({ available: false });
    expect(await callable(o.button)).toBe(false);
    again.drop();
  });

  it("is never older than its time to live: a change no one announced shows within 5 s of the server's clock", async () => {
    const o = await owner();
    await o.client.trpc.phone.setAvailable.mutate({ available: true });
    const panel = await openPanel(o);
    await until(() => callable(o.button));
    // Behind the server's back (no presence change announced): the cached yes is reused...
    await h.db.db
      .update(memberships)
      .set({ available: false })
      .where(and(eq(memberships.userId, o.userId), eq(memberships.accountId, o.accountId)));
    expect(await callable(o.button)).toBe(true);
    // ...until it is 5 s old by the server's clock, then made afresh.
    h.clock.advance(5_000);
    expect(await callable(o.button)).toBe(false);
    panel.drop();
  });
  it("follows the button's routing: someone it does not ring being reachable is not enough", async () => {
    const o = await owner();
    const agent = await loginAgent(h, o.accountId);
    const agentId = (await agent.client.trpc.account.me.query())!.user.id;
    await o.client.trpc.phone.setAvailable.mutate({ available: true });
    const panel = await openPanel(o);
    // The owner is reachable, and the button rings everyone: it can take a call...
    await until(() => callable(o.button));
    const [button] = await o.client.trpc.buttons.list.query();
    await o.client.trpc.buttons.setRouting.mutate({
      id: button!.id,
      who: "chosen",
      strategy: "in-order",
      stepSeconds: 20,
      members: [{ userId: agentId, ringSeconds: null }],
    });
    // ...but once it rings only the agent, who is not reachable, it cannot (at once: no cached yes).
    expect(await callable(o.button)).toBe(false);
    await agent.client.trpc.phone.setAvailable.mutate({ available: true });
    const agentPanel = await readSse(subscriptionUrl(h.url, "phone.events"), { fetch: agent.client.fetch });
    panels.push(agentPanel);
    await until(() => callable(o.button), 2000);
    panel.drop();
    agentPanel.drop();
  });
});

describe("a call that finds nobody", () => {
  it("is logged as unavailable, refused with the callback offer, and the owners are emailed", async () => {
    const o = await owner();
    const visitor = h.client({ origin: "https://shop.test", ip: uniqueIp() });
    const error = await expectTrpcError(
      visitor.trpc.calls.start.mutate({ button: o.button, pageUrl: "https://shop.test/pricing" }),
    );
    expect(error.data?.appCode).toBe("NO_AGENT_AVAILABLE");
    const rows = await h.db.db
      .select()
      .from(callSessions)
      .where(and(eq(callSessions.accountId, o.accountId), eq(callSessions.status, "unavailable")));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ pageUrl: "https://shop.test/pricing", durationSeconds: 0 });
    expect(rows[0]?.endedAt).not.toBeNull();
    // In the call log, filterable by its own status.
    const log = await o.client.trpc.callLog.list.query({ statuses: ["unavailable"] });
    expect(log.items.map((item) => [item.id, item.status])).toEqual([[rows[0]!.id, "unavailable"]]);
    const mails = await h.outbox(o.email);
    expect(mails.filter((m) => m.subject.startsWith("Missed call"))).toHaveLength(1);
  });
});
