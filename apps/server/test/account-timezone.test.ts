import { notifyMissedCall } from "@cac/core";
import { callSessions, memberships } from "@cac/db";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  loginAgent,
  signupVerified,
  startHarness,
  type TestClient,
} from "./harness";

describe("the account's timezone: from the browser at signup, set by owners and admins", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ build: { jobs: false } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close());

  const zoneOf = async (client: TestClient) => (await client.trpc.account.me.query())?.account.timezone;

  it("signup keeps the browser's zone, by its canonical name, and falls back to New York without one", async () => {
    expect(await zoneOf((await signupVerified(h, { timezone: "America/Denver" })).client)).toBe(
      "America/Denver",
    );
    expect(await zoneOf((await signupVerified(h, { timezone: "US/Pacific" })).client)).toBe(
      "America/Los_Angeles",
    );
    expect(await zoneOf((await signupVerified(h)).client)).toBe("America/New_York");
  });

  it("refuses a zone that does not exist with a 400 naming the field", async () => {
    const { client } = await signupVerified(h);
    const error = await expectTrpcError(client.trpc.account.updateTimezone.mutate({ timezone: "Mars/Base" }));
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.fieldErrors?.timezone).toEqual([
      "Choose a timezone from the list, like America/Chicago.",
    ]);
    const signup = await expectTrpcError(
      h.client().trpc.auth.signup.mutate({
        name: "Dana",
        email: "tz-bad@example.test",
        companyName: "Acme",
        websiteUrl: "acme.test",
        phone: "(202) 555-0143",
        password: "correct-battery-staple-42",
        ageConfirmed: true,
        timezone: "Not a zone",
      }),
    );
    expect(signup.data?.httpStatus).toBe(400);
    expect(await zoneOf(client)).toBe("America/New_York");
  });

  it("owners and admins change it, agents cannot; the CSV and the emails follow it", async () => {
    const { client: owner } = await signupVerified(h);
    const me = await owner.trpc.account.me.query();
    const accountId = me!.account.id;
    await owner.trpc.account.updateTimezone.mutate({ timezone: "Europe/Paris" });
    expect(await zoneOf(owner)).toBe("Europe/Paris");

    const { client: agent } = await loginAgent(h, accountId);
    const refused = await expectTrpcError(agent.trpc.account.updateTimezone.mutate({ timezone: "UTC" }));
    expect(refused.data?.code).toBe("FORBIDDEN");
    await h.db.db
      .update(memberships)
      .set({ role: "admin" })
      .where(and(eq(memberships.accountId, accountId), eq(memberships.role, "agent")));
    await agent.trpc.account.updateTimezone.mutate({ timezone: "Asia/Tokyo" });
    expect(await zoneOf(owner)).toBe("Asia/Tokyo");

    // The CSV names the zone and its file name is the account's day (2026-03-01T12:00Z is 21:00 in Tokyo).
    const csv = await owner.fetch(`${h.url}/exports/calls.csv`);
    expect(csv.headers.get("content-disposition")).toBe('attachment; filename="calls-2026-03-01.csv"');
    expect((await csv.text()).split("\n")[0]).toContain("Started (Asia/Tokyo)");

    // The missed-call email gives the time in the account's zone.
    const [call] = await h.db.db
      .insert(callSessions)
      .values({
        accountId,
        transport: "webrtc",
        status: "no-answer",
        startedAt: new Date("2026-03-01T16:30:00Z"),
        endedAt: new Date("2026-03-01T16:31:00Z"),
      })
      .returning();
    expect(await notifyMissedCall(h.ports, { publicUrl: new URL(h.portalOrigin) }, call!)).toBe(1);
    const mail = (await h.outbox(me!.user.email)).at(-1);
    expect(mail?.text).toMatch(/Mar 2, 2026, 1:30\sAM GMT\+9/);
  });
});
