import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import { expectTrpcError, type Harness, signupVerified, startHarness, type TestClient } from "./harness";

describe("buttons through tRPC", () => {
  let h: Harness;
  let owner: TestClient;
  beforeAll(async () => {
    h = await startHarness();
    owner = (await signupVerified(h)).client;
  });
  afterAll(() => h.close());

  it("creates, reads, lists, updates, duplicates, toggles and deletes a button", async () => {
    const created = await owner.trpc.buttons.create.mutate(validButton({ enabled: false }));
    expect(created.publicId).toMatch(/^b_[A-Za-z0-9_-]{16}$/);
    expect(created.publicId).not.toContain(created.id);
    expect(created.snippet).toBe(
      `<script src="${h.portalOrigin}/widget.js" data-button="${created.publicId}" async></script>`,
    );
    expect(created).not.toHaveProperty("accountId");

    const updated = await owner.trpc.buttons.update.mutate({
      id: created.id,
      fields: validButton({
        label: "Talk to us",
        enabled: false,
        allowedDomains: ["https://Shop.Test/path"],
      }),
    });
    expect(updated.label).toBe("Talk to us");
    expect(updated.allowedDomains).toEqual(["shop.test"]);

    const copy = await owner.trpc.buttons.duplicate.mutate({ id: created.id });
    expect(copy.name).toBe("Main site (copy)");
    expect(copy.enabled).toBe(false);
    expect(copy.publicId).not.toBe(created.publicId);

    const enabled = await owner.trpc.buttons.setEnabled.mutate({ id: created.id, enabled: true });
    expect(enabled.enabled).toBe(true);
    expect((await owner.trpc.buttons.get.query({ id: created.id })).label).toBe("Talk to us");
    expect((await owner.trpc.buttons.list.query()).map((b) => b.id)).toEqual([created.id, copy.id]);

    await owner.trpc.buttons.delete.mutate({ id: copy.id });
    await owner.trpc.buttons.delete.mutate({ id: created.id });
    expect(await owner.trpc.buttons.list.query()).toEqual([]);
    const gone = await expectTrpcError(owner.trpc.buttons.get.query({ id: created.id }));
    expect(gone.data?.code).toBe("NOT_FOUND");
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ["a malformed phone number", { phoneNumber: "12345" }, "phoneNumber"],
    ["a non-US phone number", { phoneNumber: "+44 20 7946 0958" }, "phoneNumber"],
    ["no destination", { phoneNumber: null, ringPortal: false }, "phoneNumber"],
    ["a bad domain pattern", { allowedDomains: ["shop.*.test"] }, "allowedDomains"],
    ["a domain that is not a host", { allowedDomains: ["not a domain"] }, "allowedDomains"],
    [
      "overlapping intervals",
      {
        hours: [
          [],
          [
            { start: 540, end: 720 },
            { start: 700, end: 800 },
          ],
          [],
          [],
          [],
          [],
          [],
        ],
      },
      "hours",
    ],
    [
      "an overnight interval over the next morning",
      { hours: [[], [{ start: 1320, end: 180 }], [{ start: 120, end: 300 }], [], [], [], []] },
      "hours",
    ],
    ["six days of hours", { hours: [[], [], [], [], [], []] }, "hours"],
    ["an unknown timezone", { timezone: "Mars/Olympus" }, "timezone"],
    ["a bad color", { style: { ...validButton().style, background: "blue" } }, "style"],
    ["an empty label", { label: "  " }, "label"],
    ["an impossible holiday", { holidays: ["2026-02-30"] }, "holidays"],
    ["an unknown closed behaviour", { closedBehavior: "vanish" }, "closedBehavior"],
  ];

  it.each(invalid)("refuses %s with a message on that field", async (_name, overrides, field) => {
    const before = (await owner.trpc.buttons.list.query()).length;
    const error = await expectTrpcError(owner.trpc.buttons.create.mutate(validButton(overrides as never)));
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.fieldErrors?.[field]?.[0]).toEqual(expect.any(String));
    expect((await owner.trpc.buttons.list.query()).length).toBe(before);
  });

  it("names the day in an hours error", async () => {
    const error = await expectTrpcError(
      owner.trpc.buttons.create.mutate(
        validButton({
          hours: [
            [],
            [],
            [
              { start: 540, end: 720 },
              { start: 600, end: 800 },
            ],
            [],
            [],
            [],
            [],
          ],
        }),
      ),
    );
    expect(error.data?.fieldErrors?.hours?.[0]).toMatch(/Tuesday.*overlap/);
  });

  it("normalizes a US phone number to E.164 (on a plan that rings phones)", async () => {
    const paid = await signupVerified(h);
    const { accounts } = await import("@cac/db");
    const { eq } = await import("drizzle-orm");
    const me = await paid.client.trpc.account.me.query();
    await h.db.db.update(accounts).set({ plan: "starter" }).where(eq(accounts.id, me!.account.id));
    const b = await paid.client.trpc.buttons.create.mutate(validButton({ phoneNumber: "(415) 555-0199" }));
    expect(b.phoneNumber).toBe("+14155550199");
  });
});

describe("plan limits on buttons", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  it("the Free plan allows one enabled button; more are refused, disabled ones are kept", async () => {
    const { client } = await signupVerified(h);
    const first = await client.trpc.buttons.create.mutate(validButton());
    const refused = await expectTrpcError(client.trpc.buttons.create.mutate(validButton({ name: "Second" })));
    expect(refused.data?.appCode).toBe("PLAN_LIMIT");
    expect(refused.message).toMatch(/Free plan allows 1 active button/);

    const second = await client.trpc.buttons.create.mutate(validButton({ name: "Second", enabled: false }));
    const enabling = await expectTrpcError(
      client.trpc.buttons.setEnabled.mutate({ id: second.id, enabled: true }),
    );
    expect(enabling.data?.appCode).toBe("PLAN_LIMIT");

    // Editing the enabled button is not blocked by the limit it already counts toward.
    await client.trpc.buttons.update.mutate({ id: first.id, fields: validButton({ label: "Still fine" }) });
    await client.trpc.buttons.setEnabled.mutate({ id: first.id, enabled: false });
    await client.trpc.buttons.setEnabled.mutate({ id: second.id, enabled: true });
  });

  it("the Free plan cannot ring a phone number", async () => {
    const { client } = await signupVerified(h);
    const error = await expectTrpcError(
      client.trpc.buttons.create.mutate(validButton({ phoneNumber: "+12025550143" })),
    );
    expect(error.data?.appCode).toBe("PLAN_LIMIT");
    expect(error.data?.fieldErrors?.phoneNumber?.[0]).toMatch(/paid plan/);
  });
});
