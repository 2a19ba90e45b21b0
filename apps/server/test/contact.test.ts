/**
 * The public contact form (`contact.send`): stored with the sender's IP, emailed to CONTACT_INBOX
 * (else the operators), field errors for bad input, throttled per IP with Retry-After, and only
 * from the portal's own origin.
 */
import { contactMessages } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  rawTrpc,
  startHarness,
  uniqueEmail,
  uniqueIp,
} from "./harness";

const INBOX = "hello@clickandcall.test";

const message = {
  name: "Sam Buyer",
  company: "Buyer Co",
  website: "buyer.example",
  message: "Hi!\n\nDo you support Spanish-speaking agents? <b>Thanks</b>",
};

async function stored(h: Harness, email: string) {
  return h.db.db.select().from(contactMessages).where(eq(contactMessages.email, email));
}

describe("contact form", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { CONTACT_INBOX: INBOX, OPERATOR_EMAILS: "ops@clickandcall.test" },
      limits: { "contact.ip": { points: 3, durationSeconds: 600 } },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("stores the message with the sender's IP and emails it to the contact inbox", async () => {
    const email = uniqueEmail("buyer");
    const ip = "198.51.100.44";
    const result = await h.client({ ip }).trpc.contact.send.mutate({ ...message, email });
    expect(result).toEqual({ ok: true, email });
    const [row] = await stored(h, email);
    expect(row).toMatchObject({
      name: "Sam Buyer",
      company: "Buyer Co",
      website: "https://buyer.example/",
      message: message.message,
      ip,
    });
    const mails = (await h.outbox(INBOX)).filter((m) => m.text.includes(email));
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe("Contact form: Sam Buyer (Buyer Co)");
    expect(mail.text).toContain("Do you support Spanish-speaking agents?");
    expect(mail.text).toContain(`Reply to: ${email}`);
    // The HTML part escapes what the sender typed.
    const [html] = await h.db.db
      .select()
      .from((await import("@cac/db")).outboxMessages)
      .where(eq((await import("@cac/db")).outboxMessages.subject, mail.subject));
    expect(html?.html).toContain("&#60;b&#62;Thanks&#60;/b&#62;");
    expect(html?.html).not.toContain("<b>Thanks");
    // CONTACT_INBOX wins over the operators' addresses.
    expect((await h.outbox("ops@clickandcall.test")).filter((m) => m.text.includes(email))).toHaveLength(0);
  });

  it("accepts a message without company or website", async () => {
    const email = uniqueEmail("bare");
    await h
      .client({ ip: uniqueIp() })
      .trpc.contact.send.mutate({ name: "Lee", email, company: "", website: " ", message: "Call me." });
    const [row] = await stored(h, email);
    expect(row).toMatchObject({ company: null, website: null });
  });

  const bad: Array<[string, string, Record<string, unknown>, RegExp]> = [
    ["no name", "name", { name: "  " }, /enter your name/i],
    ["a bad email", "email", { email: "nobody@" }, /valid email/i],
    ["a bad website", "website", { website: "not a site" }, /valid website/i],
    ["no message", "message", { message: "   " }, /write your message/i],
    ["a message too long", "message", { message: "x".repeat(5001) }, /at most 5,000/i],
  ];

  it.each(bad)("refuses %s with a message on that field, storing nothing", async (_l, field, patch, text) => {
    const email = uniqueEmail("bad");
    const error = await expectTrpcError(
      h.client({ ip: uniqueIp() }).trpc.contact.send.mutate({ ...message, email, ...patch } as never),
    );
    expect(error.data?.httpStatus).toBe(400);
    const messages = (error.data?.fieldErrors as Record<string, string[]> | null)?.[field];
    expect(messages?.join(" ")).toMatch(text);
    expect(await stored(h, email)).toHaveLength(0);
  });

  it("throttles per IP: 429 with Retry-After, and the message is not stored", async () => {
    const ip = uniqueIp();
    const client = h.client({ ip });
    for (let i = 0; i < 3; i++)
      await client.trpc.contact.send.mutate({ ...message, email: uniqueEmail("many") });
    const email = uniqueEmail("many");
    const res = await rawTrpc(h, "contact.send", {
      input: { ...message, email },
      headers: { "x-forwarded-for": ip },
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(res.json.error.json.data.appCode).toBe("RATE_LIMITED");
    expect(res.json.error.json.message).toMatch(/wait/i);
    expect(await stored(h, email)).toHaveLength(0);
  });

  it("is a portal mutation: another origin, or a form post, is refused", async () => {
    const email = uniqueEmail("csrf");
    const foreign = await rawTrpc(h, "contact.send", {
      input: { ...message, email },
      headers: { origin: "https://evil.test", "x-forwarded-for": uniqueIp() },
    });
    expect(foreign.status).toBe(403);
    const form = await rawTrpc(h, "contact.send", {
      rawBody: JSON.stringify({ json: { ...message, email } }),
      headers: { "content-type": "text/plain", "x-forwarded-for": uniqueIp() },
    });
    expect(form.status).toBe(415);
    expect(await stored(h, email)).toHaveLength(0);
  });
});

describe("contact form without CONTACT_INBOX", () => {
  it(
    "emails every operator address; with none, it only stores the message",
    async () => {
      const withOps = await startHarness({ env: { OPERATOR_EMAILS: "a@ops.test, b@ops.test" } });
      try {
        const email = uniqueEmail("ops");
        await withOps.client({ ip: uniqueIp() }).trpc.contact.send.mutate({ ...message, email });
        for (const to of ["a@ops.test", "b@ops.test"])
          expect((await withOps.outbox(to)).filter((m) => m.text.includes(email))).toHaveLength(1);
      } finally {
        await withOps.close();
      }
      const nobody = await startHarness();
      try {
        const email = uniqueEmail("nobody");
        await nobody.client({ ip: uniqueIp() }).trpc.contact.send.mutate({ ...message, email });
        expect(await stored(nobody, email)).toHaveLength(1);
        expect(await nobody.outbox()).toHaveLength(0);
      } finally {
        await nobody.close();
      }
    },
    HARNESS_TIMEOUT_MS,
  );
});
