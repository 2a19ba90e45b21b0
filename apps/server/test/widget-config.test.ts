import { CALLBACK_EMAIL_WINDOW_MS } from "@cac/core";
import type { PublicButtonConfig } from "@cac/core/domain";
import { users } from "@cac/db";
import { insertMember, memberByEmail } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  type Harness,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueEmail,
} from "./harness";

describe("public button config", () => {
  let h: Harness;
  let owner: TestClient;
  let publicId: string;
  beforeAll(async () => {
    h = await startHarness();
    owner = (await signupVerified(h)).client;
    // The harness clock reads Sunday 2026-03-01 12:00 UTC; Monday 9–5 New York opens the next day.
    publicId = (await owner.trpc.buttons.create.mutate(validButton({ holidays: ["2026-03-03"] }))).publicId;
  });
  afterAll(() => h.close());

  const get = (id: string, headers: Record<string, string> = {}) =>
    fetch(`${h.url}/widget/config/${id}`, { headers: { origin: "https://shop.test", ...headers } });

  it("returns the public fields only, with open windows as instants", async () => {
    const res = await get(publicId);
    expect(res.status).toBe(200);
    const body = (await res.json()) as PublicButtonConfig;
    expect(Object.keys(body).sort()).toEqual(
      [
        "apiOrigin",
        "businessName",
        "callable",
        "captchaSiteKey",
        "closedBehavior",
        "conversionEvents",
        "collectContext",
        "holidays",
        "hours",
        "id",
        "label",
        "language",
        "logoUrl",
        "openWindows",
        "style",
        "texts",
        "theme",
        "timezone",
      ].sort(),
    );
    expect(body).toMatchObject({ id: publicId, label: "Call us", callable: true, closedBehavior: "message" });
    // Whose line it is, for the dialog's header; light for a button that never chose a theme.
    expect(body.businessName).toBe("Acme Plumbing");
    expect(body.theme).toBe("light");
    // Captcha off here: the widget runs no challenge.
    expect(body.captchaSiteKey).toBeNull();
    // A new button sends its visitors' context (referrer, campaign, device, local time).
    expect(body.collectContext).toBe(true);
    // Monday 09:00 EST = 14:00 UTC; Tuesday is a holiday; Wednesday opens again.
    expect(body.openWindows[0]).toEqual({
      opens: "2026-03-02T14:00:00.000Z",
      closes: "2026-03-02T22:00:00.000Z",
    });
    expect(body.openWindows[1]?.opens).toBe("2026-03-04T14:00:00.000Z");
    const { businessName: _shown, ...rest } = body;
    const text = JSON.stringify(rest);
    expect(text).not.toMatch(/phoneNumber|ringPortal|"\+1/);
    // Nothing else about the account: the company name is the one thing shown, in the header.
    expect(text).not.toMatch(/account|email|Acme/i);
  });

  it("carries the button's theme, and the company's new name as soon as the owner renames it", async () => {
    const [button] = await owner.trpc.buttons.list.query();
    if (!button) throw new Error("the suite's button is missing");
    const fields = validButton({ holidays: ["2026-03-03"] });
    await owner.trpc.buttons.update.mutate({ id: button.id, fields: { ...fields, theme: "dark" } });
    const first = (await (await get(button.publicId)).json()) as PublicButtonConfig;
    expect(first.theme).toBe("dark");
    await owner.trpc.account.updateProfile.mutate({
      name: "Dana Owner",
      companyName: "Acme Plumbing & Heating",
      websiteUrl: "acme-plumbing.com",
      phone: "(202) 555-0143",
    });
    const renamed = (await (await get(button.publicId)).json()) as PublicButtonConfig;
    expect(renamed.businessName).toBe("Acme Plumbing & Heating");
    await owner.trpc.account.updateProfile.mutate({
      name: "Dana Owner",
      companyName: "Acme Plumbing",
      websiteUrl: "acme-plumbing.com",
      phone: "(202) 555-0143",
    });
    await owner.trpc.buttons.update.mutate({ id: button.id, fields });
    const back = (await (await get(publicId)).json()) as PublicButtonConfig;
    expect(back).toMatchObject({ businessName: "Acme Plumbing", theme: "light" });
  });

  it("never leaks the destination number", async () => {
    const { accounts } = await import("@cac/db");
    const { eq } = await import("drizzle-orm");
    const paid = await signupVerified(h);
    const me = await paid.client.trpc.account.me.query();
    await h.db.db.update(accounts).set({ plan: "pro" }).where(eq(accounts.id, me!.account.id));
    const b = await paid.client.trpc.buttons.create.mutate(
      validButton({ phoneNumber: "+14155550199", ringPortal: false }),
    );
    const text = await (await get(b.publicId)).text();
    expect(text).not.toContain("4155550199");
  });

  it("is cacheable: ETag, short max-age with stale-while-revalidate, 304 on a match, Vary: Origin", async () => {
    const res = await get(publicId);
    const etag = res.headers.get("etag");
    expect(etag).toMatch(/^".+"$/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=60, stale-while-revalidate=600");
    expect(res.headers.get("vary")).toMatch(/Origin/i);
    const again = await get(publicId, { "if-none-match": etag! });
    expect(again.status).toBe(304);
  });

  it("answers CORS for allowed origins only", async () => {
    expect((await get(publicId)).headers.get("access-control-allow-origin")).toBe("https://shop.test");
    expect(
      (await get(publicId, { origin: "https://a.acme.test" })).headers.get("access-control-allow-origin"),
    ).toBe("https://a.acme.test");
    const denied = await get(publicId, { origin: "https://evil.test" });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ host: "evil.test" });
  });

  it("gives 404 for an unknown or disabled button", async () => {
    expect((await get("b_doesnotexist000000")).status).toBe(404);
    const list = await owner.trpc.buttons.list.query();
    await owner.trpc.buttons.setEnabled.mutate({ id: list[0]!.id, enabled: false });
    expect((await get(publicId)).status).toBe(404);
    await owner.trpc.buttons.setEnabled.mutate({ id: list[0]!.id, enabled: true });
  });
});

describe("callback requests from the widget", () => {
  let h: Harness;
  let owner: TestClient;
  let ownerEmail: string;
  let publicId: string;
  beforeAll(async () => {
    h = await startHarness();
    const signed = await signupVerified(h);
    owner = signed.client;
    ownerEmail = signed.email;
    publicId = (
      await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen, closedBehavior: "callback" }))
    ).publicId;
  });
  afterAll(() => h.close());

  it("stores the request, emails the owner, and shows it in the portal", async () => {
    const visitor = h.client({ origin: "https://shop.test", ip: "203.0.113.9" });
    const res = await visitor.trpc.widget.requestCallback.mutate({
      button: publicId,
      name: "Val Visitor",
      phone: "202-555-0188",
      message: "About a leak",
    });
    expect(res).toEqual({ ok: true });
    const [mail] = (await h.outbox(ownerEmail)).filter((m) => m.subject.includes("Callback request"));
    expect(mail?.text).toContain("+12025550188");
    expect(mail?.text).toContain("About a leak");
    const { items: list } = await owner.trpc.callbacks.list.query();
    expect(list[0]).toMatchObject({ name: "Val Visitor", phone: "+12025550188", handledAt: null });
    await owner.trpc.callbacks.setHandled.mutate({ id: list[0]!.id, handled: true });
    expect((await owner.trpc.callbacks.list.query({ onlyOpen: true })).items).toEqual([]);
  });

  it("emails only owners whose address is confirmed (the request carries the visitor's details)", async () => {
    // A second owner who confirmed their address keeps the account verified (its buttons live).
    const me = await memberByEmail(h.db.db, ownerEmail);
    const coOwner = uniqueEmail("co-owner");
    await insertMember(h.db.db, {
      accountId: me.accountId,
      email: coOwner,
      name: "Co Owner",
      passwordHash: "not-used",
      role: "owner",
    });
    await h.db.db.update(users).set({ emailVerifiedAt: null }).where(eq(users.email, ownerEmail));
    const before = (await h.outbox(ownerEmail)).length;
    // Past the button's email window, so this request is emailed at once.
    h.clock.advance(CALLBACK_EMAIL_WINDOW_MS);
    const visitor = h.client({ origin: "https://shop.test", ip: "203.0.113.10" });
    await visitor.trpc.widget.requestCallback.mutate({
      button: publicId,
      name: "Val",
      phone: "202-555-0189",
    });
    expect(await h.outbox(ownerEmail)).toHaveLength(before);
    expect((await h.outbox(coOwner)).map((m) => m.text).join("\n")).toContain("+12025550189");
    // Stored all the same, for the portal.
    expect((await owner.trpc.callbacks.list.query()).items.map((c) => c.phone)).toContain("+12025550189");
    await h.db.db.update(users).set({ emailVerifiedAt: new Date() }).where(eq(users.email, ownerEmail));
  });

  it("answers the preflight and refuses a disallowed origin with 403", async () => {
    const preflight = await fetch(`${h.url}/trpc/widget.requestCallback`, {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.test",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://shop.test");
    const intruder = h.client({ origin: "https://evil.test" });
    const error = await expectTrpcError(
      intruder.trpc.widget.requestCallback.mutate({ button: publicId, name: "X", phone: "2025550188" }),
    );
    expect(error.data?.httpStatus).toBe(403);
    expect(error.data?.appCode).toBe("ORIGIN_NOT_ALLOWED");
  });

  it("refuses a bad phone on its field and an unknown button with 404", async () => {
    const visitor = h.client({ origin: "https://shop.test" });
    const bad = await expectTrpcError(
      visitor.trpc.widget.requestCallback.mutate({ button: publicId, name: "X", phone: "+44 20 7946 0958" }),
    );
    expect(bad.data?.fieldErrors?.phone?.[0]).toMatch(/US phone/);
    const unknown = await expectTrpcError(
      visitor.trpc.widget.requestCallback.mutate({ button: "b_nope", name: "X", phone: "2025550188" }),
    );
    expect(unknown.data?.httpStatus).toBe(404);
  });
});
