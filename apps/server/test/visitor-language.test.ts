/**
 * The widget's language, end to end on the server: the button's language and per-language texts
 * (validated, stored, in the public config at once), and the language a visitor used, sent with
 * calls.start and widget.requestCallback (stored; an unknown one refused with 400), which the
 * callback email names.
 */
import { callbackRequests, callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableOwner } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  uniqueIp,
} from "./harness";

const SHOP = "https://shop.test";

describe("the widget's language", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      limits: { "signup.ip": LIFTED, "callback.ip": LIFTED, "callback.button": LIFTED },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const config = async (publicId: string) => {
    const res = await fetch(`${h.url}/widget/config/${publicId}`, { headers: { origin: SHOP } });
    expect(res.status).toBe(200);
    return (await res.json()) as { language?: string; texts?: Record<string, Record<string, string>> };
  };

  it("stores the button's language and texts and serves them in the public config, at once after a change", async () => {
    const { client } = await signupVerified(h);
    const plain = await client.trpc.buttons.create.mutate(validButton());
    // A button made without them (an older API caller) follows the visitor, with no texts.
    expect(plain).toMatchObject({ language: "auto", texts: {} });
    expect(await config(plain.publicId)).toMatchObject({ language: "auto", texts: {} });

    const texts = {
      en: { label: "Call us", closedMessage: "  " },
      es: { label: "  Llámenos ", closedMessage: "Para emergencias llame al 555-0100." },
    };
    const updated = await client.trpc.buttons.update.mutate({
      id: plain.id,
      fields: validButton({ language: "es", texts }),
    });
    // Trimmed; an empty text is no text, and a language with none is left out.
    expect(updated.language).toBe("es");
    expect(updated.texts).toEqual({
      en: { label: "Call us" },
      es: { label: "Llámenos", closedMessage: "Para emergencias llame al 555-0100." },
    });
    // The kept public config was dropped with the change: the next request has the new fields.
    expect(await config(plain.publicId)).toMatchObject({ language: "es", texts: updated.texts });
  });

  it("refuses an unknown language, texts in one, and texts over their caps, on their fields", async () => {
    const { client } = await signupVerified(h);
    const bad = async (fields: object, path: string) => {
      const error = await expectTrpcError(client.trpc.buttons.create.mutate(validButton(fields as never)));
      expect(error.data?.httpStatus).toBe(400);
      expect(Object.keys(error.data?.fieldErrors ?? {})).toContain(path);
    };
    await bad({ language: "fr" }, "language");
    await bad({ texts: { fr: { label: "Appelez-nous" } } }, "texts");
    await bad({ texts: { es: { label: "x".repeat(41) } } }, "texts");
    await bad({ texts: { es: { closedMessage: "x".repeat(301) } } }, "texts");
    await bad({ texts: { es: { label: "Llámenos", color: "red" } } }, "texts");
  });

  it("a callback request stores the visitor's language; the email says 'Language: Spanish'", async () => {
    const { client, email } = await signupVerified(h);
    const button = await client.trpc.buttons.create.mutate(
      validButton({ name: "Sitio", hours: alwaysOpen, closedBehavior: "callback" }),
    );
    const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
    await visitor.trpc.widget.requestCallback.mutate({
      button: button.publicId,
      name: "Rosa Visitante",
      phone: "(202) 555-0142",
      language: "es",
    });
    const rows = await h.db.db
      .select()
      .from(callbackRequests)
      .where(eq(callbackRequests.buttonId, button.id));
    expect(rows.map((r) => r.language)).toEqual(["es"]);
    const [mail] = (await h.outbox(email)).filter(
      (m) => m.subject === "Callback request from Rosa Visitante",
    );
    expect(mail?.text).toContain("Language: Spanish");

    const refused = await expectTrpcError(
      visitor.trpc.widget.requestCallback.mutate({
        button: button.publicId,
        name: "Pierre",
        phone: "(202) 555-0143",
        language: "fr" as "es",
      }),
    );
    expect(refused.data?.httpStatus).toBe(400);
    expect(refused.data?.fieldErrors?.language).toBeTruthy();
    expect(await h.db.db.select().from(callbackRequests).where(eq(callbackRequests.name, "Pierre"))).toEqual(
      [],
    );
  });

  it("an English or unsaid language is stored as such, and the email names no language", async () => {
    // One active button per free account: two businesses.
    const first = await signupVerified(h);
    const second = await signupVerified(h);
    const one = await first.client.trpc.buttons.create.mutate(validButton({ name: "A", hours: alwaysOpen }));
    const two = await second.client.trpc.buttons.create.mutate(validButton({ name: "B", hours: alwaysOpen }));
    const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
    await visitor.trpc.widget.requestCallback.mutate({
      button: one.publicId,
      name: "Ann English",
      phone: "(202) 555-0144",
      language: "en",
    });
    await visitor.trpc.widget.requestCallback.mutate({
      button: two.publicId,
      name: "Old Widget",
      phone: "(202) 555-0145",
    });
    const language = async (buttonId: string) =>
      (await h.db.db.select().from(callbackRequests).where(eq(callbackRequests.buttonId, buttonId)))[0]
        ?.language;
    expect(await language(one.id)).toBe("en");
    expect(await language(two.id)).toBeNull();
    const mails = [...(await h.outbox(first.email)), ...(await h.outbox(second.email))].filter((m) =>
      m.subject.startsWith("Callback request from"),
    );
    expect(mails).toHaveLength(2);
    for (const mail of mails) expect(mail.text).not.toContain("Language:");
  });

  it("calls.start stores the language of a call that rings, and of one nobody could take; 400 on an unknown one", async () => {
    const { owner, button, panel } = await availableOwner(h);
    try {
      const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
      const started = await visitor.trpc.calls.start.mutate({ button: button.publicId, language: "es" });
      const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, started.sessionId));
      expect(row?.language).toBe("es");

      const refused = await expectTrpcError(
        visitor.trpc.calls.start.mutate({ button: button.publicId, language: "de" as "es" }),
      );
      expect(refused.data?.httpStatus).toBe(400);
      expect(refused.data?.fieldErrors?.language).toBeTruthy();
      expect(
        await h.db.db.select().from(callSessions).where(eq(callSessions.buttonId, button.id)),
      ).toHaveLength(1);
    } finally {
      panel.drop();
    }
    // With nobody reachable the attempt is still logged, with its language.
    const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
    for (let i = 0; (await owner.trpc.phone.availability.query()).reachable; i++) {
      if (i > 100) throw new Error("the member stayed reachable");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await owner.trpc.phone.setAvailable.mutate({ available: false });
    const nobody = await expectTrpcError(
      visitor.trpc.calls.start.mutate({ button: button.publicId, language: "es" }),
    );
    expect(nobody.data?.appCode).toBe("NO_AGENT_AVAILABLE");
    const rows = await h.db.db.select().from(callSessions).where(eq(callSessions.buttonId, button.id));
    expect(rows.find((r) => r.status === "unavailable")?.language).toBe("es");
  });
});
