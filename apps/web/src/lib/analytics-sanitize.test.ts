import { describe, expect, it } from "vitest";
import { sanitizeEventProperties, sanitizeProperties, stripUrl } from "./analytics-sanitize";

describe("analytics sanitizer", () => {
  it("drops the query string and fragment of URLs and paths (emailed links carry tokens there)", () => {
    expect(stripUrl("http://localhost:3000/reset-password?token=abc.def#x")).toBe(
      "http://localhost:3000/reset-password",
    );
    expect(stripUrl("/verify-email?token=t0k3n")).toBe("/verify-email");
    expect(stripUrl("/buttons/123")).toBe("/buttons/123");

    const out = sanitizeEventProperties({
      $current_url: "https://portal.example.com/verify-email?token=secret-token-1",
      $pathname: "/reset-password?token=secret-token-2",
      $referrer: "https://mail.example.com/inbox?token=secret-token-3#read",
      $initial_referrer: "$direct",
      $session_entry_url: "https://portal.example.com/verify-email?token=secret-token-4",
    });
    expect(out).toEqual({
      $current_url: "https://portal.example.com/verify-email",
      $pathname: "/reset-password",
      $referrer: "https://mail.example.com/inbox",
      $initial_referrer: "$direct",
      $session_entry_url: "https://portal.example.com/verify-email",
      $ip: null,
    });
    expect(JSON.stringify(out)).not.toContain("token");
  });

  it("sets $ip to null even when it was sent, and never lets an IP address through elsewhere", () => {
    const out = sanitizeEventProperties({ $ip: "203.0.113.7", note: "from 127.0.0.1", $browser: "Chrome" });
    expect(out).toEqual({ $ip: null, $browser: "Chrome" });
  });

  it("drops identity keys and any value that holds an email address or phone number", () => {
    const out = sanitizeProperties({
      email: "dana@acme-plumbing.test",
      $name: "Dana Owner",
      name: "Dana Owner",
      company: "Acme Plumbing",
      phone: "(202) 555-0143",
      label: "Call us now",
      title: "Kitchen line · Click & Call",
      $el_text: "Dana Owner",
      $set: { email: "dana@acme-plumbing.test" },
      $set_once: { name: "Dana" },
      contact: "write to dana@acme-plumbing.test",
      callback: "ring 202-555-0143",
      e164: "+12025550143",
      $lib: "web",
      $screen_width: 1280,
      filtered: true,
    });
    expect(out).toEqual({ $lib: "web", $screen_width: 1280, filtered: true });
  });

  it("cleans nested objects and arrays the same way", () => {
    const out = sanitizeProperties({
      list: ["/calls?from=2026-01-01", "dana@acme-plumbing.test", 3],
      nested: { url: "/reset-password?token=x", email: "dana@acme-plumbing.test", ok: "yes" },
    });
    expect(out).toEqual({ list: ["/calls", 3], nested: { url: "/reset-password", ok: "yes" } });
  });

  it("keeps ordinary product data as it is", () => {
    const props = { $lib: "web", $lib_version: "1.449.2", $os: "Linux", $pathname: "/buttons/new", count: 2 };
    expect(sanitizeEventProperties(props)).toEqual({ ...props, $ip: null });
  });
});
