/**
 * Who is calling: what the widget tells about the visit (referrer, campaign parameters, device,
 * local time) is validated, stored with the call and the callback request with its derived source,
 * rung to the agent's panel, listed and filtered in the call log, written in the CSV and the data
 * export, and deleted with the call record.
 */
import { deleteClosedAccounts } from "@cac/core";
import { callbackRequests, callSessions } from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, withSubscriptions } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";

type AnyEvent = { type: string; [key: string]: unknown };
const SHOP = "https://shop.test";
const DAY = 24 * 60 * 60 * 1000;

const springSale = {
  referrer: "https://www.google.com/",
  utmSource: "google",
  utmMedium: "cpc",
  utmCampaign: "spring-sale",
  utmTerm: "emergency plumber",
  gclid: "EAIaIQobChMI-abc",
  device: "mobile" as const,
  localTime: "2026-03-01T09:14:00-05:00",
};

async function openPhonePanel(h: Harness, owner: TestClient) {
  const agent = withSubscriptions(h.url, owner);
  const events = collect<AnyEvent>();
  await owner.trpc.phone.setAvailable.mutate({ available: true });
  const sub = agent.phone.events.subscribe(undefined, { onData: (e) => events.push(e.data as AnyEvent) });
  for (let i = 0; i < 100; i++) {
    if ((await owner.trpc.phone.availability.query()).reachable) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { events, stop: () => sub.unsubscribe() };
}

describe("visitor context", () => {
  let h: Harness;
  let owner: TestClient;
  let email: string;
  let password: string;
  let publicId: string;
  let buttonId: string;
  let accountId: string;
  let panel: Awaited<ReturnType<typeof openPhonePanel>>;
  const visitor = () => h.client({ origin: SHOP, ip: uniqueIp() });

  beforeAll(async () => {
    h = await startHarness({ env: { RING_TIMEOUT_SECONDS: "5" } });
    ({ client: owner, email, password } = await signupVerified(h));
    const b = await owner.trpc.buttons.create.mutate(
      validButton({ hours: alwaysOpen, closedBehavior: "callback" }),
    );
    publicId = b.publicId;
    buttonId = b.id;
    accountId = (await memberByEmail(h.db.db, email)).accountId;
    panel = await openPhonePanel(h, owner);
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    panel?.stop();
    await h?.close();
  }, HARNESS_TIMEOUT_MS);

  const callRow = async (id: string) =>
    (await h.db.db.select().from(callSessions).where(eq(callSessions.id, id)))[0];

  it("stores the context with the call, derives its source, and rings the agent with it", async () => {
    const started = await visitor().trpc.calls.start.mutate({
      button: publicId,
      pageUrl: "https://shop.test/pricing",
      context: springSale,
    });
    const ring = await panel.events.next(
      (e) => e.type === "ring" && (e.call as { sessionId: string }).sessionId === started.sessionId,
    );
    expect((ring.call as { visitor: unknown }).visitor).toEqual({
      source: "Google Ads",
      campaign: "spring-sale",
      device: "mobile",
      localTime: "2026-03-01T09:14:00-05:00",
    });
    expect(await callRow(started.sessionId)).toMatchObject({
      referrer: "https://www.google.com/",
      utmSource: "google",
      utmMedium: "cpc",
      utmCampaign: "spring-sale",
      utmTerm: "emergency plumber",
      utmContent: null,
      gclid: "EAIaIQobChMI-abc",
      device: "mobile",
      visitorLocalTime: "2026-03-01T09:14:00-05:00",
      source: "Google Ads",
    });
    // The panel's feed, opened again, rings the same call with the same line.
    const ringing = await h.db.db.select().from(callSessions).where(eq(callSessions.id, started.sessionId));
    expect(ringing[0]?.status).toBe("ringing");
    const again = await openPhonePanel(h, owner);
    const replayed = await again.events.next(
      (e) => e.type === "ring" && (e.call as { sessionId: string }).sessionId === started.sessionId,
    );
    expect((replayed.call as { visitor: { source: string } }).visitor.source).toBe("Google Ads");
    again.stop();
    await owner.trpc.phone.decline.mutate({ sessionId: started.sessionId }).catch(() => undefined);
  });

  it("a call with no context is stored with none (source unknown), and rings without a visitor line", async () => {
    const started = await visitor().trpc.calls.start.mutate({ button: publicId });
    const ring = await panel.events.next(
      (e) => e.type === "ring" && (e.call as { sessionId: string }).sessionId === started.sessionId,
    );
    expect((ring.call as { visitor: unknown }).visitor).toBeNull();
    expect(await callRow(started.sessionId)).toMatchObject({ source: null, referrer: null, device: null });
  });

  it("refuses values over their caps or malformed with 400 and a reason, and stores nothing", async () => {
    const before = (await h.db.db.select().from(callSessions).where(eq(callSessions.accountId, accountId)))
      .length;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ utmCampaign: "x".repeat(101) }, /utm_campaign is too long/],
      [{ utmSource: "x".repeat(101) }, /utm_source is too long/],
      [{ gclid: "g".repeat(201) }, /gclid is too long/],
      [{ referrer: `https://a.test/${"r".repeat(600)}` }, /referrer is too long/],
      [{ referrer: "javascript:alert(1)" }, /referrer must be an http\(s\) URL/],
      [{ device: "fridge" }, /mobile or desktop/],
      [{ localTime: "9:14" }, /ISO date and time with its UTC offset/],
      [{ utmTerm: "spring\u0000sale" }, /control characters/],
    ];
    for (const [context, reason] of cases) {
      const call = await expectTrpcError(
        visitor().trpc.calls.start.mutate({ button: publicId, context } as never),
      );
      expect(call.data?.httpStatus).toBe(400);
      expect(`${call.message} ${JSON.stringify(call.data)}`).toMatch(reason);
      const callback = await expectTrpcError(
        visitor().trpc.widget.requestCallback.mutate({
          button: publicId,
          name: "Pat Doe",
          phone: "(202) 555-0100",
          context,
        } as never),
      );
      expect(callback.data?.httpStatus).toBe(400);
      expect(`${callback.message} ${JSON.stringify(callback.data)}`).toMatch(reason);
    }
    const after = (await h.db.db.select().from(callSessions).where(eq(callSessions.accountId, accountId)))
      .length;
    expect(after).toBe(before);
  });

  it("stores the context with a callback request, and the callbacks list shows its source", async () => {
    await visitor().trpc.widget.requestCallback.mutate({
      button: publicId,
      name: "Pat Doe",
      phone: "(202) 555-0100",
      context: {
        referrer: "https://www.facebook.com/",
        utmSource: "facebook",
        utmCampaign: "fall-promo",
        device: "desktop",
      },
    });
    const [row] = await h.db.db
      .select()
      .from(callbackRequests)
      .where(eq(callbackRequests.buttonId, buttonId));
    expect(row).toMatchObject({
      referrer: "https://www.facebook.com/",
      utmSource: "facebook",
      utmCampaign: "fall-promo",
      device: "desktop",
      source: "Facebook",
    });
    const page = await owner.trpc.callbacks.list.query({});
    expect(page.items[0]).toMatchObject({ name: "Pat Doe", source: "Facebook", utmCampaign: "fall-promo" });
  });

  it("keeps nothing when the button does not collect the context", async () => {
    // The owner turns it off in the button editor.
    const off = await owner.trpc.buttons.update.mutate({
      id: buttonId,
      fields: validButton({ hours: alwaysOpen, closedBehavior: "callback", collectContext: false }),
    });
    expect(off.collectContext).toBe(false);
    const config = await (
      await fetch(`${h.url}/widget/config/${publicId}`, { headers: { origin: SHOP } })
    ).json();
    expect((config as { collectContext: boolean }).collectContext).toBe(false);
    const started = await visitor().trpc.calls.start.mutate({ button: publicId, context: springSale });
    expect(await callRow(started.sessionId)).toMatchObject({ source: null, utmCampaign: null, gclid: null });
    await owner.trpc.phone.decline.mutate({ sessionId: started.sessionId }).catch(() => undefined);
    await owner.trpc.buttons.update.mutate({
      id: buttonId,
      fields: validButton({ hours: alwaysOpen, closedBehavior: "callback" }),
    });
    expect((await owner.trpc.buttons.get.query({ id: buttonId })).collectContext).toBe(true);
  });

  it("lists the source and campaign, filters by them, offers them as options, and writes them in the CSV and the export", async () => {
    await visitor().trpc.calls.start.mutate({
      button: publicId,
      context: { referrer: "https://www.yelp.com/biz/acme", device: "desktop" },
    });
    const all = await owner.trpc.callLog.list.query({});
    const sources = all.items.map((c) => c.source);
    expect(sources).toContain("Google Ads");
    expect(sources).toContain("yelp.com");

    const ads = await owner.trpc.callLog.list.query({ source: "Google Ads" });
    expect(ads.items.length).toBeGreaterThan(0);
    expect(ads.items.every((c) => c.source === "Google Ads" && c.campaign === "spring-sale")).toBe(true);
    const campaign = await owner.trpc.callLog.list.query({ campaign: "spring-sale" });
    expect(campaign.items.map((c) => c.id).sort()).toEqual(ads.items.map((c) => c.id).sort());
    expect((await owner.trpc.callLog.list.query({ campaign: "no-such-campaign" })).items).toEqual([]);
    const totals = await owner.trpc.callLog.totals.query({ source: "yelp.com" });
    expect(totals.calls).toBe(1);

    const options = await owner.trpc.callLog.contextOptions.query({});
    expect(options).toEqual({ sources: ["Google Ads", "yelp.com"], campaigns: ["spring-sale"] });
    // In a range without calls, none.
    expect(await owner.trpc.callLog.contextOptions.query({ from: "2020-01-01", to: "2020-01-31" })).toEqual({
      sources: [],
      campaigns: [],
    });

    const csv = await (await owner.fetch(`${h.url}/exports/calls.csv?source=Google%20Ads`)).text();
    const [header, ...lines] = csv.split("\r\n").filter(Boolean);
    expect(header).toContain(
      "Source,Referrer,UTM source,UTM medium,UTM campaign,UTM term,UTM content,gclid,Device,Visitor local time",
    );
    expect(lines.length).toBe(ads.items.length);
    expect(lines[0]).toContain(
      "Google Ads,https://www.google.com/,google,cpc,spring-sale,emergency plumber,,EAIaIQobChMI-abc,mobile,2026-03-01T09:14:00-05:00",
    );

    const data = (await (await owner.fetch(`${h.url}/exports/account.json`)).json()) as {
      callSessions: Array<Record<string, unknown>>;
      callbackRequests: Array<Record<string, unknown>>;
    };
    expect(data.callSessions.find((c) => c.source === "Google Ads")).toMatchObject({
      referrer: "https://www.google.com/",
      utmCampaign: "spring-sale",
      gclid: "EAIaIQobChMI-abc",
      device: "mobile",
      visitorLocalTime: "2026-03-01T09:14:00-05:00",
    });
    expect(data.callbackRequests[0]).toMatchObject({ source: "Facebook", utmCampaign: "fall-promo" });
  });

  it("refuses a bad filter with 400 and a reason", async () => {
    const e = await expectTrpcError(owner.trpc.callLog.list.query({ campaign: "c".repeat(101) }));
    expect(e.data?.httpStatus).toBe(400);
  });

  it("is deleted with the call record when the closed account's data goes", async () => {
    panel.stop();
    const calls = () => h.db.db.select().from(callSessions).where(eq(callSessions.accountId, accountId));
    const callbacks = () =>
      h.db.db.select().from(callbackRequests).where(eq(callbackRequests.accountId, accountId));
    expect((await calls()).some((c) => c.source !== null)).toBe(true);
    expect((await callbacks()).some((c) => c.source !== null)).toBe(true);
    await h.db.db
      .update(callSessions)
      .set({ status: "completed", endedAt: h.clock.now() })
      .where(eq(callSessions.accountId, accountId));
    await owner.trpc.account.close.mutate({ password });
    h.clock.advance(30 * DAY + 1000);
    const result = await deleteClosedAccounts(h.ports);
    expect(result.counts.accountsDeleted).toBeGreaterThanOrEqual(1);
    expect(await calls()).toEqual([]);
    expect(await callbacks()).toEqual([]);
  });
});
