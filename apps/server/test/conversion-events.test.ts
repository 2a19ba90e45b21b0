import type { PublicButtonConfig } from "@cac/core/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { expectTrpcError, type Harness, signupVerified, startHarness, type TestClient } from "./harness";

/** The per-button opt-in that lets the widget push conversion events to the page's tag manager. */
describe("conversion events setting", () => {
  let h: Harness;
  let owner: TestClient;
  beforeAll(async () => {
    h = await startHarness();
    owner = (await signupVerified(h)).client;
  });
  afterAll(() => h.close());

  const config = async (publicId: string) => {
    const res = await fetch(`${h.url}/widget/config/${publicId}`, {
      headers: { origin: "https://shop.test" },
    });
    expect(res.status).toBe(200);
    return (await res.json()) as PublicButtonConfig;
  };

  it("is off unless the owner opts in; saved, read back and in the widget's config at once", async () => {
    // An API caller that predates the setting leaves it off.
    const button = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    expect(button.conversionEvents).toBe(false);
    // Read once, so the served config is kept (in this instance and the shared store) before the change.
    expect((await config(button.publicId)).conversionEvents).toBe(false);

    const fields = validButton({ hours: alwaysOpen, conversionEvents: true });
    const saved = await owner.trpc.buttons.update.mutate({ id: button.id, fields });
    expect(saved.conversionEvents).toBe(true);
    expect((await owner.trpc.buttons.get.query({ id: button.id })).conversionEvents).toBe(true);
    expect((await owner.trpc.buttons.list.query()).find((b) => b.id === button.id)?.conversionEvents).toBe(
      true,
    );
    // The kept config was dropped with the change: the widget sees the opt-in on its next load.
    expect((await config(button.publicId)).conversionEvents).toBe(true);

    // A copy keeps the setting.
    const copy = await owner.trpc.buttons.duplicate.mutate({ id: button.id });
    expect(copy.conversionEvents).toBe(true);

    await owner.trpc.buttons.update.mutate({ id: button.id, fields: { ...fields, conversionEvents: false } });
    expect((await config(button.publicId)).conversionEvents).toBe(false);
    await owner.trpc.buttons.delete.mutate({ id: copy.id });
    await owner.trpc.buttons.delete.mutate({ id: button.id });
  });

  it("refuses a value that is not true or false, with a message on the field", async () => {
    const error = await expectTrpcError(
      owner.trpc.buttons.create.mutate(validButton({ conversionEvents: "yes" as never })),
    );
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.fieldErrors?.conversionEvents?.[0]).toEqual(expect.any(String));
  });
});
