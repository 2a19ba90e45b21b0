/**
 * callLog.sources over HTTP: the top pages and sources of the filtered calls with their answer
 * rates, dates read as days in the account's timezone (as the totals read them), a button of
 * another account refused, and a bad range answered with the field's message.
 */
import { accounts, callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import { expectTrpcError, type Harness, signupVerified, startHarness } from "./harness";

type NewCall = typeof callSessions.$inferInsert;

describe("calls by page and by source", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h?.close());

  async function owner() {
    const { client } = await signupVerified(h);
    const me = await client.trpc.account.me.query();
    const accountId = me!.account.id;
    // Honolulu is UTC-10 all year: its days start at 10:00 UTC.
    await h.db.db.update(accounts).set({ timezone: "Pacific/Honolulu" }).where(eq(accounts.id, accountId));
    const button = await client.trpc.buttons.create.mutate(validButton());
    return { client, accountId, buttonId: button.id };
  }

  const call = (
    accountId: string,
    buttonId: string,
    startedAt: string,
    answered: boolean,
    pageUrl: string | null,
    source: string | null,
  ): NewCall => ({
    accountId,
    buttonId,
    transport: "webrtc",
    status: answered ? "completed" : "no-answer",
    startedAt: new Date(startedAt),
    answeredAt: answered ? new Date(Date.parse(startedAt) + 5000) : null,
    pageUrl,
    source,
  });

  it("answers the top pages and sources of the range, days in the account's timezone", async () => {
    const a = await owner();
    await h.db.db.insert(callSessions).values([
      // Nov 2 in Honolulu runs from 2026-11-02T10:00Z to 2026-11-03T10:00Z.
      call(a.accountId, a.buttonId, "2026-11-02T09:59:59Z", true, "https://shop.test/early", "Direct"),
      call(
        a.accountId,
        a.buttonId,
        "2026-11-02T10:00:00Z",
        true,
        "https://shop.test/pricing?x=1",
        "Google Ads",
      ),
      call(a.accountId, a.buttonId, "2026-11-02T23:00:00Z", false, "https://shop.test/pricing", "Google Ads"),
      call(a.accountId, a.buttonId, "2026-11-03T09:00:00Z", true, "https://shop.test/", null),
      call(a.accountId, a.buttonId, "2026-11-03T10:00:00Z", true, "https://shop.test/late", "Direct"),
    ]);
    const got = await a.client.trpc.callLog.sources.query({ from: "2026-11-02", to: "2026-11-02" });
    expect(got).toEqual({
      byPage: [
        { page: "shop.test/pricing", calls: 2, answered: 1, answerRate: 0.5 },
        { page: "shop.test/", calls: 1, answered: 1, answerRate: 1 },
      ],
      bySource: [
        { source: "Google Ads", calls: 2, answered: 1, answerRate: 0.5 },
        { source: null, calls: 1, answered: 1, answerRate: 1 },
      ],
    });
    // The totals count the same calls.
    const totals = await a.client.trpc.callLog.totals.query({ from: "2026-11-02", to: "2026-11-02" });
    expect(totals.calls).toBe(3);
    // Without dates: every call.
    const all = await a.client.trpc.callLog.sources.query();
    expect(all.bySource).toEqual([
      { source: "Direct", calls: 2, answered: 2, answerRate: 1 },
      { source: "Google Ads", calls: 2, answered: 1, answerRate: 0.5 },
      { source: null, calls: 1, answered: 1, answerRate: 1 },
    ]);
  });

  it("refuses another account's button and a range that ends before it starts", async () => {
    const a = await owner();
    const b = await owner();
    const foreign = await expectTrpcError(a.client.trpc.callLog.sources.query({ buttonId: b.buttonId }));
    expect(foreign.data?.code).toBe("NOT_FOUND");
    const backwards = await expectTrpcError(
      a.client.trpc.callLog.sources.query({ from: "2026-11-05", to: "2026-11-01" }),
    );
    expect(backwards.data?.code).toBe("BAD_REQUEST");
    expect(backwards.data?.fieldErrors?.to?.[0]).toMatch(/end of the range/);
  });
});
