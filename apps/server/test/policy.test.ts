import { policyDismissals } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
  uniqueEmail,
} from "./harness";

describe("policy notices", () => {
  let h: Harness;
  let operator: TestClient;
  let alice: TestClient;
  let bob: TestClient;
  const operatorEmail = uniqueEmail("ops");

  beforeAll(async () => {
    h = await startHarness({
      env: { OPERATOR_EMAILS: operatorEmail },
      limits: { "signup.ip": LIFTED },
    });
    operator = (await signupVerified(h, { email: operatorEmail })).client;
    alice = (await signupVerified(h)).client;
    bob = (await signupVerified(h)).client;
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const notice = (version = unique("v")) => ({
    version,
    summary: "We now describe anonymized product analytics and the 12-month IP log retention.",
    effectiveAt: "2026-04-01",
  });

  /** Each publish a minute after the previous one, so "newest" is unambiguous. */
  async function publish(input = notice()) {
    h.clock.advance(60_000);
    return operator.trpc.policy.publish.mutate(input);
  }

  it("an operator publishes a notice; it is listed with its fields", async () => {
    const input = notice();
    const published = await publish(input);
    expect(published).toMatchObject({ version: input.version, summary: input.summary });
    expect(published.effectiveAt.toISOString()).toBe("2026-04-01T00:00:00.000Z");
    expect(published.publishedAt.toISOString()).toBe(h.clock.now().toISOString());
    const list = await operator.trpc.policy.list.query();
    expect(list[0]).toMatchObject({ id: published.id, version: input.version, dismissals: 0 });
  });

  it("a customer who is not an operator cannot publish or list (FORBIDDEN), and nothing is written", async () => {
    const before = (await operator.trpc.policy.list.query()).length;
    const publishing = await expectTrpcError(alice.trpc.policy.publish.mutate(notice()));
    expect(publishing.data?.code).toBe("FORBIDDEN");
    expect(publishing.data?.httpStatus).toBe(403);
    const listing = await expectTrpcError(alice.trpc.policy.list.query());
    expect(listing.data?.code).toBe("FORBIDDEN");
    expect((await operator.trpc.policy.list.query()).length).toBe(before);
  });

  it("anonymous callers get UNAUTHORIZED from current and dismiss", async () => {
    const anonymous = h.client();
    expect((await expectTrpcError(anonymous.trpc.policy.current.query())).data?.code).toBe("UNAUTHORIZED");
    const { id } = await publish();
    const dismissing = await expectTrpcError(anonymous.trpc.policy.dismiss.mutate({ noticeId: id }));
    expect(dismissing.data?.code).toBe("UNAUTHORIZED");
  });

  it("refuses bad input with a message on each field", async () => {
    const error = await expectTrpcError(
      operator.trpc.policy.publish.mutate({
        version: "   ",
        summary: "short",
        effectiveAt: "someday",
      }),
    );
    expect(error.data?.httpStatus).toBe(400);
    const fields = (error.data?.fieldErrors ?? {}) as Record<string, string[]>;
    expect(fields.version?.join(" ")).toMatch(/enter a version/i);
    expect(fields.summary?.join(" ")).toMatch(/at least 10/i);
    expect(fields.effectiveAt?.join(" ")).toMatch(/takes effect/i);
  });

  it("a version already published is refused with CONFLICT and a message on the version field", async () => {
    const input = notice();
    await publish(input);
    const error = await expectTrpcError(
      publish({ ...input, summary: "Another summary of the same version." }),
    );
    expect(error.data?.code).toBe("CONFLICT");
    expect(error.data?.httpStatus).toBe(409);
    expect(error.message).toContain(input.version);
    expect((error.data?.fieldErrors as Record<string, string[]> | null)?.version?.[0]).toMatch(
      /already published/i,
    );
    const list = await operator.trpc.policy.list.query();
    expect(list.filter((n) => n.version === input.version)).toHaveLength(1);
  });

  it("each account holder sees the newest notice until they dismiss it; dismissing is per user", async () => {
    const older = await publish();
    const newest = await publish();
    expect((await alice.trpc.policy.current.query())?.id).toBe(newest.id);
    expect((await bob.trpc.policy.current.query())?.id).toBe(newest.id);

    await alice.trpc.policy.dismiss.mutate({ noticeId: newest.id });
    // Gone for Alice (and the older one does not come back), still there for Bob.
    expect(await alice.trpc.policy.current.query()).toBeNull();
    expect((await bob.trpc.policy.current.query())?.id).toBe(newest.id);
    // Dismissing again is harmless.
    await alice.trpc.policy.dismiss.mutate({ noticeId: newest.id });
    const rows = await h.db.db
      .select()
      .from(policyDismissals)
      .where(eq(policyDismissals.noticeId, newest.id));
    expect(rows).toHaveLength(1);
    expect(older.id).not.toBe(newest.id);

    const listed = (await operator.trpc.policy.list.query()).find((n) => n.id === newest.id);
    expect(listed?.dismissals).toBe(1);
  });

  it("a newer version shows again to someone who dismissed the previous one", async () => {
    const first = await publish();
    await bob.trpc.policy.dismiss.mutate({ noticeId: first.id });
    expect(await bob.trpc.policy.current.query()).toBeNull();
    const second = await publish();
    const current = await bob.trpc.policy.current.query();
    expect(current?.id).toBe(second.id);
    expect(current?.version).toBe(second.version);
  });

  it("dismissing a notice that does not exist is NOT_FOUND, and a malformed id is a 400", async () => {
    const missing = await expectTrpcError(
      alice.trpc.policy.dismiss.mutate({ noticeId: "00000000-0000-4000-8000-000000000000" }),
    );
    expect(missing.data?.code).toBe("NOT_FOUND");
    const malformed = await expectTrpcError(alice.trpc.policy.dismiss.mutate({ noticeId: "nope" }));
    expect(malformed.data?.httpStatus).toBe(400);
  });
});
