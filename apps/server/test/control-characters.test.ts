/**
 * A NUL byte (or another control character) in a text field used to reach PostgreSQL, which
 * refuses NUL in text, and came back as a 500. Every text input now refuses control characters
 * other than tab and newline with a 400 and a message on the field, and stores nothing.
 */

import { CONTROL_CHARACTERS_MESSAGE } from "@cac/core/domain";
import { callbackRequests, callSessions, contactMessages } from "@cac/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  countRows,
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueEmail,
  uniqueIp,
  validSignup,
} from "./harness";

const OPERATOR = "ops-control@clickandcall.test";

async function rows(
  h: Harness,
  table: typeof callbackRequests | typeof callSessions | typeof contactMessages,
) {
  return (await h.db.db.select().from(table)).length;
}

describe("control characters in text inputs", () => {
  let h: Harness;
  let owner: TestClient;
  let operator: TestClient;
  let publicId: string;
  beforeAll(async () => {
    h = await startHarness({ env: { OPERATOR_EMAILS: OPERATOR } });
    owner = (await signupVerified(h)).client;
    operator = (await signupVerified(h, { email: OPERATOR })).client;
    publicId = (await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }))).publicId;
    // Someone is there to answer, so a call start would get as far as storing the call.
    await owner.trpc.phone.setAvailable.mutate({ available: true });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const visitor = () => h.client({ origin: "https://shop.test", ip: uniqueIp() });

  async function refused(call: Promise<unknown>, field: string) {
    const error = await expectTrpcError(call);
    expect(error.data?.httpStatus).toBe(400);
    expect((error.data?.fieldErrors as Record<string, string[]> | null)?.[field]).toEqual([
      CONTROL_CHARACTERS_MESSAGE,
    ]);
  }

  for (const char of ["\u0000", "\u001b", "\u007f", "\u0085"]) {
    const name = `Sam ${char} Caller`;
    const label = JSON.stringify(char);

    it(`refuses ${label} in the callback form's name and message`, async () => {
      const before = await rows(h, callbackRequests);
      await refused(
        visitor().trpc.widget.requestCallback.mutate({ button: publicId, name, phone: "(202) 555-0111" }),
        "name",
      );
      await refused(
        visitor().trpc.widget.requestCallback.mutate({
          button: publicId,
          name: "Sam",
          phone: "(202) 555-0111",
          message: `Call me ${char} back`,
        }),
        "message",
      );
      expect(await rows(h, callbackRequests)).toBe(before);
    });

    it(`refuses ${label} in a button's name and the profile's name`, async () => {
      await refused(owner.trpc.buttons.create.mutate(validButton({ name, enabled: false })), "name");
      await refused(owner.trpc.account.updateProfile.mutate({ name }), "name");
    });

    it(`refuses ${label} in the contact form and the signup form`, async () => {
      const before = await rows(h, contactMessages);
      const portal = h.client({ ip: uniqueIp() });
      await refused(
        portal.trpc.contact.send.mutate({ name, email: uniqueEmail("contact"), message: "Hello" }),
        "name",
      );
      await refused(
        portal.trpc.contact.send.mutate({
          name: "Sam",
          email: uniqueEmail("contact"),
          message: `Hi ${char}`,
        }),
        "message",
      );
      expect(await rows(h, contactMessages)).toBe(before);
      const users = await countRows(h, "users");
      await refused(
        portal.trpc.auth.signup.mutate({ ...validSignup, name, email: uniqueEmail("nul") }),
        "name",
      );
      expect(await countRows(h, "users")).toBe(users);
    });

    it(`refuses ${label} in a block's reason`, async () => {
      await refused(owner.trpc.abuse.blockIp.mutate({ ip: uniqueIp(), reason: `spam ${char}` }), "reason");
      await refused(
        operator.trpc.abuse.addBlock.mutate({ ip: uniqueIp(), reason: `spam ${char}` }),
        "reason",
      );
    });

    it(`refuses ${label} in a call's pageUrl`, async () => {
      const before = await rows(h, callSessions);
      await refused(
        visitor().trpc.calls.start.mutate({ button: publicId, pageUrl: `https://shop.test/${char}` }),
        "pageUrl",
      );
      expect(await rows(h, callSessions)).toBe(before);
    });
  }

  it("answers a widget config request for an id with a NUL with 404, not 500", async () => {
    const res = await fetch(`${h.url}/widget/config/${encodeURIComponent(`${publicId}\u0000`)}`, {
      headers: { origin: "https://shop.test" },
    });
    expect(res.status).toBe(404);
  });

  it("keeps tabs and line breaks in a message", async () => {
    await expect(
      visitor().trpc.widget.requestCallback.mutate({
        button: publicId,
        name: "Sam",
        phone: "(202) 555-0111",
        message: "Line one\n\tLine two",
      }),
    ).resolves.toEqual({ ok: true });
  });
});
