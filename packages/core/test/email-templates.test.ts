import { describe, expect, it } from "vitest";
import { emails } from "../src/email/templates";
import type { MailMessage } from "../src/ports";

const TO = "owner@example.test";
const IPV4 = /\b\d{1,3}(\.\d{1,3}){3}\b/;
const IPV6 = /\b[0-9a-f]{1,4}(:[0-9a-f]{0,4}){2,7}\b/i;

/** What every message must be: one-line subject, a full HTML part, a plain-text part without markup. */
function expectWellFormed(mail: MailMessage) {
  expect(mail.to).toBe(TO);
  expect(mail.subject).not.toMatch(/[\r\n]/);
  expect(mail.subject.length).toBeGreaterThan(0);
  expect(mail.html).toMatch(/^<!doctype html><html lang="en">/);
  expect(mail.html).toContain("</html>");
  expect(mail.text.length).toBeGreaterThan(40);
  // No markup of the layout (values typed by people may contain angle brackets, shown as typed).
  expect(mail.text).not.toMatch(/<\/?(p|a|div|br|html|head|body)\b/i);
  expect(mail.text).toMatch(/— Click & Call$/);
}

/** The button's link appears once in each part, and it is the only URL in the message. */
function expectOnlyLink(mail: MailMessage, url: string) {
  const escaped = url.replace(/&/g, "&#38;");
  expect(mail.text.split(url)).toHaveLength(2);
  expect(mail.html.split(`href="${escaped}"`)).toHaveLength(2);
  expect(mail.text.match(/https?:\/\/\S+/g)).toEqual([url]);
  expect(mail.html.match(/https?:\/\/[^"<\s]+/g)).toEqual([escaped]);
}

function expectNoIp(mail: MailMessage) {
  for (const part of [mail.subject, mail.text, mail.html]) {
    expect(part).not.toMatch(IPV4);
    expect(part).not.toMatch(IPV6);
  }
}

describe("the seven product emails each have an HTML and a plain-text part", () => {
  it("verify email: the confirmation link only, no password", () => {
    const url = "https://portal.example.test/verify-email?token=abc_DEF-123";
    const mail = emails.verifyEmail(TO, "Dana", url);
    expectWellFormed(mail);
    expectOnlyLink(mail, url);
    expect(mail.subject).toBe("Confirm your email for Click & Call");
    expect(mail.text).toContain("Hi Dana,");
    expect(mail.html).toContain(">Confirm email</a>");
    expect(mail.text).not.toMatch(/password/i);
  });

  it("reset password: the one-time link only", () => {
    const url = "https://portal.example.test/reset-password?token=tok_987";
    const mail = emails.resetPassword(TO, url);
    expectWellFormed(mail);
    expectOnlyLink(mail, url);
    expect(mail.text).toContain("works once, for one hour");
    expect(mail.html).toContain(">Choose a new password</a>");
  });

  it("callback request: the visitor's details, escaped in HTML, never their IP", () => {
    const portal = "https://portal.example.test/callbacks";
    // callbacks.ts spreads the stored row, which also holds the visitor's IP.
    const row = {
      buttonName: "Main site",
      name: '<script>alert("x")</script>\r\nBcc: victim@example.test',
      phone: "+12025550188",
      message: "Leak under the sink.\nCall after 5 <b>please</b> & thanks",
      ip: "203.0.113.77",
    };
    const mail = emails.callbackRequest(TO, row, portal);
    expectWellFormed(mail);
    expectOnlyLink(mail, portal);
    expectNoIp(mail);
    expect(mail.subject).toBe('Callback request from <script>alert("x")</script> Bcc: victim@example.test');
    expect(mail.html).not.toContain("<script");
    expect(mail.html).not.toContain("<b>");
    expect(mail.html).toContain("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;");
    expect(mail.html).toContain(
      "Leak under the sink.<br>Call after 5 &#60;b&#62;please&#60;/b&#62; &#38; thanks",
    );
    expect(mail.html).toContain("+12025550188");
    // The plain-text part shows what the visitor typed, as typed.
    expect(mail.text).toContain('<script>alert("x")</script>');
    expect(mail.text).toContain("Their message: Leak under the sink.\nCall after 5 <b>please</b> & thanks");
    expect(mail.text).toContain('through your button "Main site"');
  });

  it("callback request without a message says nothing about one", () => {
    const mail = emails.callbackRequest(
      TO,
      { buttonName: "Main site", name: "Val", phone: "+12025550188", message: null },
      "https://portal.example.test/callbacks",
    );
    expectWellFormed(mail);
    expect(mail.text).not.toContain("message");
  });

  it("callback request and digest name the visitor's language when it was Spanish, and only then", () => {
    const portal = "https://portal.example.test/callbacks";
    const request = { buttonName: "Sitio", name: "Rosa", phone: "+12025550142", message: null };
    const spanish = emails.callbackRequest(TO, { ...request, language: "es" }, portal);
    expectWellFormed(spanish);
    expect(spanish.text).toContain("Language: Spanish");
    expect(spanish.html).toContain("Language: Spanish");
    for (const language of ["en", null, undefined]) {
      expect(emails.callbackRequest(TO, { ...request, language }, portal).text).not.toContain("Language:");
    }
    const digest = emails.callbackDigest(
      TO,
      {
        buttonName: "Sitio",
        count: 2,
        listed: [
          { name: "Rosa", phone: "+12025550142", message: "Hola", language: "es" },
          { name: "Ann", phone: "+12025550143", message: null, language: "en" },
        ],
        windowMinutes: 10,
      },
      portal,
    );
    expect(digest.text).toContain("• Rosa, +12025550142 (Spanish): Hola");
    expect(digest.text).toContain("• Ann, +12025550143\n");
  });

  it("missed call: the button and the time in the account's timezone, no IP", () => {
    const callsUrl = "https://portal.example.test/calls";
    const mail = emails.missedCall(TO, {
      buttonLabel: 'Sales <"VIP">',
      at: new Date("2026-03-01T12:00:00Z"),
      timezone: "America/New_York",
      callsUrl,
    });
    expectWellFormed(mail);
    expectOnlyLink(mail, callsUrl);
    expectNoIp(mail);
    expect(mail.subject).toBe('Missed call on "Sales <"VIP">"');
    expect(mail.text).toMatch(/on Mar 1, 2026, 7:00\sAM EST, and nobody answered/);
    expect(mail.html).toContain("Sales &#60;&#34;VIP&#34;&#62;");
    expect(mail.html).not.toContain('<"VIP">');

    const west = emails.missedCall(TO, {
      buttonLabel: "Main site",
      at: new Date("2026-07-01T03:30:00Z"),
      timezone: "America/Los_Angeles",
      callsUrl,
    });
    expect(west.text).toMatch(/on Jun 30, 2026, 8:30\sPM PDT/);
  });

  it("payment failed: amount, plan, retry date and the billing link", () => {
    const billing = "https://portal.example.test/billing";
    const mail = emails.paymentFailed(
      TO,
      {
        planName: "Pro",
        amount: "$79.00",
        nextAttempt: "March 3, 2026",
        invoiceUrl: "https://invoice.stripe.test/i/in_1?a=1&b=2",
      },
      billing,
    );
    expectWellFormed(mail);
    expect(mail.text).toContain("We couldn't collect $79.00 for your Pro plan.");
    expect(mail.text).toContain("We'll try again on March 3, 2026.");
    expect(mail.text).toContain("https://invoice.stripe.test/i/in_1?a=1&b=2");
    expect(mail.html).toContain("https://invoice.stripe.test/i/in_1?a=1&#38;b=2");
    expect(mail.html).toContain(`href="${billing}"`);

    const final = emails.paymentFailed(
      TO,
      { planName: "Starter", amount: "$29.00", nextAttempt: null, invoiceUrl: null },
      billing,
    );
    expectWellFormed(final);
    expectOnlyLink(final, billing);
    expect(final.text).toContain("Stripe will not try this payment again.");
  });

  it("account closing: what is deleted, on which day (account's timezone), and a Reopen link", () => {
    const reopen = "https://portal.example.test/account/reopen";
    const mail = emails.accountClosing(
      TO,
      "Dana <Owner>",
      new Date("2026-04-01T02:00:00Z"),
      reopen,
      "America/Los_Angeles",
    );
    expectWellFormed(mail);
    expectOnlyLink(mail, reopen);
    expect(mail.subject).toBe("Your Click & Call account is closed");
    expect(mail.text).toContain("Hi Dana <Owner>,");
    expect(mail.html).toContain("Hi Dana &#60;Owner&#62;,");
    expect(mail.text).toContain(
      "On Tuesday, March 31, 2026 we will delete the account and its personal data",
    );
    expect(mail.text).toContain("call history");
    expect(mail.text).toContain(
      "Billing records (amounts, dates, subscription status) are kept for accounting.",
    );
    expect(mail.html).toContain(">Reopen my account</a>");
    // Without the account's timezone, the day is given in UTC.
    expect(emails.accountClosing(TO, "Dana", new Date("2026-04-01T02:00:00Z"), reopen).text).toContain(
      "On Wednesday, April 1, 2026",
    );
  });

  it("account deleted: personal data gone, billing records kept, no link", () => {
    const mail = emails.accountDeleted(TO, "Dana");
    expectWellFormed(mail);
    expect(mail.subject).toBe("Your Click & Call account was deleted");
    expect(mail.text).toContain("account and its personal data have been deleted");
    expect(mail.text).toContain("We keep only billing records");
    expect(mail.text).not.toMatch(/https?:\/\//);
    expect(mail.html).not.toContain("<a ");
  });
});
