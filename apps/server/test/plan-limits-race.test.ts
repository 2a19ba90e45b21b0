import { accounts, buttons } from "@cac/db";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import { errorOf, HARNESS_TIMEOUT_MS, type Harness, signupVerified, startHarness } from "./harness";

const ATTEMPTS = 10;

/** Settles every call, and sorts them into successes and the app codes of the refusals. */
async function settle(calls: Array<Promise<unknown>>) {
  const results = await Promise.allSettled(calls);
  const refused = results
    .filter((r): r is PromiseRejectedResult => r.status === "rejected")
    .map((r) => errorOf(r.reason).data?.appCode);
  return { ok: results.filter((r) => r.status === "fulfilled").length, refused };
}

async function enabledCount(h: Harness, accountId: string) {
  const rows = await h.db.db
    .select({ id: buttons.id })
    .from(buttons)
    .where(and(eq(buttons.accountId, accountId), eq(buttons.enabled, true)));
  return rows.length;
}

/**
 * An attacker (or a double-clicking owner) sends many writes at once: the plan's limit of active
 * buttons must hold whatever the interleaving. Free allows 1, Starter 5.
 */
describe("plan limits under concurrent requests", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  async function owner() {
    const { client } = await signupVerified(h);
    const me = await client.trpc.account.me.query();
    return { client, accountId: me!.account.id };
  }

  it(`${ATTEMPTS} concurrent creates of enabled buttons leave exactly the plan's number enabled`, async () => {
    const { client, accountId } = await owner();
    const result = await settle(
      Array.from({ length: ATTEMPTS }, (_, i) =>
        client.trpc.buttons.create.mutate(validButton({ name: `Race ${i}`, enabled: true })),
      ),
    );
    expect(await enabledCount(h, accountId)).toBe(1);
    expect(result.ok).toBe(1);
    expect(result.refused).toEqual(Array(ATTEMPTS - 1).fill("PLAN_LIMIT"));
  });

  it(`${ATTEMPTS} concurrent setEnabled on disabled buttons leave exactly the plan's number enabled`, async () => {
    const { client, accountId } = await owner();
    const ids: string[] = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      ids.push(
        (await client.trpc.buttons.create.mutate(validButton({ name: `Off ${i}`, enabled: false }))).id,
      );
    }
    const result = await settle(
      ids.map((id) => client.trpc.buttons.setEnabled.mutate({ id, enabled: true })),
    );
    expect(await enabledCount(h, accountId)).toBe(1);
    expect(result.ok).toBe(1);
    expect(result.refused).toEqual(Array(ATTEMPTS - 1).fill("PLAN_LIMIT"));
  });

  it("mixed concurrent creates, updates and setEnabled hold a paid plan's limit too", async () => {
    const { client, accountId } = await owner();
    await h.db.db.update(accounts).set({ plan: "starter" }).where(eq(accounts.id, accountId));
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push(
        (await client.trpc.buttons.create.mutate(validButton({ name: `Off ${i}`, enabled: false }))).id,
      );
    }
    const calls: Array<Promise<unknown>> = [];
    for (const [i, id] of ids.entries()) {
      calls.push(
        i % 2 === 0
          ? client.trpc.buttons.setEnabled.mutate({ id, enabled: true })
          : client.trpc.buttons.update.mutate({
              id,
              fields: validButton({ name: `On ${i}`, enabled: true }),
            }),
      );
    }
    for (let i = 0; i < 4; i++) {
      calls.push(client.trpc.buttons.create.mutate(validButton({ name: `New ${i}`, enabled: true })));
    }
    const result = await settle(calls);
    expect(await enabledCount(h, accountId)).toBe(5);
    expect(result.ok).toBe(5);
    expect(result.refused.every((code) => code === "PLAN_LIMIT")).toBe(true);
  });
});
