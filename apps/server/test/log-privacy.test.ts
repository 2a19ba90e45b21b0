import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Business, closeBusinessPanels, openBusiness, seedCalls, startCallFrom } from "./abuse-world";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  startHarness,
  uniqueEmail,
} from "./harness";

/**
 * Logs go to stdout, out of the retention job's reach, so they must not hold a visitor's address
 * (the privacy policy keeps IPs at most 12 months): they show its IPv4 /24 or IPv6 /48 only. The
 * full address stays in the tables the retention job cleans (call sessions, security events).
 */

const V4 = "198.51.100.77";
const V6 = "2001:db8:4c6f:6700:1:2:3:4";
const networks = { [V4]: "198.51.100.0/24", [V6]: "2001:db8:4c6f::/48" };

describe("request and service logs", () => {
  const lines: string[] = [];
  const logStream = { write: (line: string) => void lines.push(line) };
  let h: Harness;
  let captcha: Harness;
  let shop: Business;
  beforeAll(async () => {
    h = await startHarness({
      env: { LOG_LEVEL: "info" },
      limits: { "call.ip": LIFTED, "call.button": LIFTED, "signup.ip": LIFTED },
      build: { jobs: false, logStream, abuseThresholds: { callStarts: { max: 1, windowSeconds: 3600 } } },
    });
    // Turnstile on: a form sent without a token is refused, and the refusal is logged.
    captcha = await startHarness({
      env: {
        LOG_LEVEL: "info",
        TURNSTILE_SITE_KEY: "site-key",
        TURNSTILE_SECRET_KEY: "secret-key",
        TURNSTILE_VERIFY_URL: "http://127.0.0.1:9/turnstile/v0/siteverify",
      },
      build: { jobs: false, logStream },
    });
    shop = await openBusiness(h);
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    closeBusinessPanels();
    await h?.close();
    await captcha?.close();
  }, HARNESS_TIMEOUT_MS);

  it("carry a visitor's IPv4 /24 or IPv6 /48, never the address", async () => {
    for (const ip of [V4, V6]) {
      // Request lines, a failed login, an automatic flag and the refusals that follow, a captcha refusal.
      await expectTrpcError(
        h.client({ ip }).trpc.auth.login.mutate({ email: uniqueEmail("nobody"), password: "wrong-password" }),
      );
      await seedCalls(h, shop, ip, 1);
      expect((await expectTrpcError(startCallFrom(h, shop, ip))).data?.appCode).toBe("IP_BLOCKED");
      const refused = await expectTrpcError(
        captcha.client({ ip }).trpc.contact.send.mutate({
          name: "Visitor",
          email: uniqueEmail("contact"),
          message: "Hello there, this is a message.",
        }),
      );
      expect(refused.data?.appCode).toBe("CAPTCHA_FAILED");
    }
    const text = lines.join("");
    for (const [ip, network] of Object.entries(networks)) {
      expect(text).not.toContain(ip);
      const mine = lines.filter((line) => line.includes(network)).map((line) => JSON.parse(line));
      expect(mine.map((line) => line.msg)).toEqual(
        expect.arrayContaining([
          "request completed",
          "login failed",
          "IP flagged for abuse",
          "captcha refused",
        ]),
      );
      expect(mine.find((line) => line.msg === "request completed")?.req?.remoteAddress).toBe(network);
    }
    // No client port either: with the time it would single out one connection of the network.
    expect(text).not.toContain("remotePort");
  });

  it("carry a request's path and query names, never the query's values (links' tokens, tRPC inputs)", async () => {
    const secret = "a1b2c3d4e5f6secret";
    const email = uniqueEmail("query");
    await fetch(`${h.url}/verify-email?token=${secret}`);
    await fetch(`${h.url}/trpc/account.me?input=${encodeURIComponent(JSON.stringify({ json: { email } }))}`);
    const text = lines.join("");
    expect(text).not.toContain(secret);
    expect(text).not.toContain(email);
    const urls = lines.map((line) => JSON.parse(line)).map((line) => line.req?.url);
    expect(urls).toEqual(expect.arrayContaining(["/verify-email?token=…", "/trpc/account.me?input=…"]));
  });

  it("write one line per request, and none at info for the public hot paths (config, health)", async () => {
    const before = lines.length;
    const marker = `/trpc/system.info?n=${Date.now()}`;
    await fetch(`${h.url}${marker}`);
    await fetch(`${h.url}/healthz`);
    await fetch(`${h.url}/readyz`);
    await fetch(`${h.url}/widget/config/b_nosuchbutton000`, { headers: { origin: "https://shop.test" } });
    // The line is written once the response is done, which the client may see first.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const written = lines.slice(before).map((line) => JSON.parse(line));
    const requests = written.filter((line) => line.req);
    expect(requests.map((line) => [line.msg, line.req.url.split("?")[0], line.res?.statusCode])).toEqual([
      ["request completed", "/trpc/system.info", 200],
    ]);
    expect(typeof requests[0]?.responseTime).toBe("number");
  });
});
