import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { test as base, company, expect, signUpConfirmedUser, uniqueEmail } from "./fixtures";

/**
 * Anonymized analytics: the real posthog-js, loaded by the portal because the server has
 * POSTHOG_KEY, sends to a local stand-in for PostHog that records every request. The test reads
 * what the SDK really sent and looks for anything personal.
 */

type Recorded = { method: string; path: string; query: string; body: string };
type PostHogStandIn = { url: string; requests: Recorded[] };

/** A request body as PostHog would read it: JSON, gzip, base64 or a `data=` form field. */
function decodeBody(req: IncomingMessage, raw: Buffer): string {
  let bytes = raw;
  const isGzip =
    /gzip/i.test(String(req.headers["content-encoding"] ?? "")) ||
    /compression=gzip/.test(req.url ?? "") ||
    (raw[0] === 0x1f && raw[1] === 0x8b);
  if (isGzip) bytes = gunzipSync(raw);
  let text = bytes.toString("utf8");
  if (/^data=/.test(text)) text = decodeURIComponent(text.slice(5).replace(/\+/g, " "));
  if (/^[A-Za-z0-9+/=]+$/.test(text) && text.length % 4 === 0) {
    const decoded = Buffer.from(text, "base64").toString("utf8");
    if (/^[[{]/.test(decoded)) text = decoded;
  }
  return text;
}

/** The events in one recorded body (a single event, a batch array, or `{ batch: [...] }`). */
function eventsOf(request: Recorded): Array<{ event: string; properties: Record<string, unknown> }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(request.body);
  } catch {
    return [];
  }
  const list = Array.isArray(parsed)
    ? parsed
    : parsed && typeof parsed === "object" && Array.isArray((parsed as { batch?: unknown }).batch)
      ? (parsed as { batch: unknown[] }).batch
      : [parsed];
  return list.filter(
    (e): e is { event: string; properties: Record<string, unknown> } =>
      Boolean(e) && typeof (e as { event?: unknown }).event === "string",
  );
}

const test = base.extend<object, { posthog: PostHogStandIn }>({
  posthog: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as a pattern
    async ({}, use) => {
      const requests: Recorded[] = [];
      const http = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (chunk: Buffer) => chunks.push(chunk));
        req.on("end", () => {
          const url = new URL(req.url ?? "/", "http://stand-in");
          const cors = {
            "access-control-allow-origin": String(req.headers.origin ?? "*"),
            "access-control-allow-credentials": "true",
            "access-control-allow-headers": String(req.headers["access-control-request-headers"] ?? "*"),
            "access-control-allow-methods": "GET, POST, OPTIONS",
          };
          if (req.method === "OPTIONS") {
            res.writeHead(204, cors).end();
            return;
          }
          requests.push({
            method: req.method ?? "",
            path: url.pathname,
            query: url.search,
            body: decodeBody(req, Buffer.concat(chunks)),
          });
          res.writeHead(200, { ...cors, "content-type": "application/json" }).end('{"status":1}');
        });
      });
      await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
      const { port } = http.address() as AddressInfo;
      await use({ url: `http://127.0.0.1:${port}`, requests });
      await new Promise((resolve) => http.close(resolve));
    },
    { scope: "worker" },
  ],
  // The server of this file's worker has analytics on, pointed at the stand-in.
  serverEnv: [
    async ({ posthog }, use) => {
      await use({ POSTHOG_KEY: "phc_test", POSTHOG_HOST: posthog.url });
    },
    { scope: "worker" },
  ],
});

test.use({ permissions: ["clipboard-read", "clipboard-write"] });

test("page views and feature events reach PostHog without any personal data", async ({
  page,
  server,
  posthog,
}) => {
  // Many pages plus the SDK's batching delay; slow on a loaded machine.
  test.setTimeout(180_000);
  const email = uniqueEmail("analytics");
  const buttonName = "Analytics Kitchen Line";
  const buttonLabel = "Ring Dana now";
  const resetToken = "reset-token-never-sent-4242";

  // posthog-js drops every event from a browser that says it is automated (navigator.webdriver,
  // which Playwright sets): this page must look like a person's browser for the SDK to send.
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, "webdriver", { get: () => false });
  });

  await test.step("sign up and confirm through the emailed link (a token in the address)", async () => {
    await signUpConfirmedUser(page, server, email);
  });
  const verifyLink = (await server.lastEmailTo(email))?.text.match(/verify-email\?token=([\w-]+)/)?.[1];
  expect(verifyLink).toBeTruthy();

  await test.step("the portal's CSP lets it reach the PostHog host, and only because analytics is on", async () => {
    const response = await page.request.get(`${server.url}/`, { headers: { accept: "text/html" } });
    expect(response.headers()["content-security-policy"]).toContain(`connect-src 'self' ${posthog.url}`);
    expect(response.headers()["content-security-policy"]).toContain("script-src 'self';");
  });

  await test.step("visit pages and create a button, then copy its snippet", async () => {
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Calls" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Calls" })).toBeVisible();
    await nav.getByRole("link", { name: "Account" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
    await page.goto("/buttons/new");
    await expect(page.getByRole("heading", { level: 1, name: "New call button" })).toBeVisible();
    await page.getByLabel("Name", { exact: true }).fill(buttonName);
    await page.getByLabel("Button text").fill(buttonLabel);
    await page.getByRole("button", { name: "Create button" }).click();
    // The wizard: created at the end of its first step, the snippet on its last.
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByRole("heading", { level: 2, name: "Step 4 of 4: Install" })).toBeVisible();
    await page.getByRole("button", { name: "Copy snippet" }).click();
    await expect(page.getByText("Copied to the clipboard")).toBeVisible();
  });

  await test.step("open a reset-password link (its token must not be sent)", async () => {
    await page.goto(`/reset-password?token=${resetToken}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  });

  const events = () => posthog.requests.flatMap(eventsOf);
  await test.step("the events arrive: page views and the feature events", async () => {
    await expect
      .poll(() => events().map((e) => e.event), { timeout: 45_000, intervals: [500, 1000, 2000] })
      .toEqual(expect.arrayContaining(["$pageview", "button_created", "snippet_copied"]));
    // Let anything still queued (the last page view) be sent too.
    await page.waitForTimeout(4000);
    const pageviewPaths = events()
      .filter((e) => e.event === "$pageview")
      .map((e) => e.properties.$pathname);
    expect(pageviewPaths).toEqual(
      // The confirmation page may hand over to the dashboard before the SDK is up, so it is not required.
      expect.arrayContaining(["/calls", "/account", "/buttons/new", "/reset-password"]),
    );
  });

  await test.step("no request holds the email, name, company, phone, button text, an IP or a token", async () => {
    const everything = posthog.requests.map((r) => `${r.path}${r.query}\n${r.body}`).join("\n");
    expect(everything.length).toBeGreaterThan(0);
    const forbidden = [
      email,
      encodeURIComponent(email),
      company.name,
      company.companyName,
      company.website,
      company.phone,
      "2025550143",
      "202-555-0143",
      buttonName,
      buttonLabel,
      "127.0.0.1",
      "token=",
      resetToken,
      verifyLink as string,
    ];
    for (const value of forbidden) {
      expect(everything.includes(value), `a PostHog request contains ${JSON.stringify(value)}`).toBe(false);
    }
    for (const event of events()) {
      expect(event.properties.$ip ?? null, `${event.event} carries an IP`).toBeNull();
      expect(event.properties).not.toHaveProperty("$set");
      expect(event.properties.$process_person_profile).not.toBe(true);
    }
    // Nothing asked PostHog for scripts, flags or surveys: only events were sent.
    const paths = [...new Set(posthog.requests.map((r) => r.path))];
    expect(
      paths.every((p) => /^\/(e|i\/v0\/e|batch|capture)\/?$/.test(p)),
      paths.join(", "),
    ).toBe(true);
  });

  await test.step("nothing was stored in the browser for analytics (no cookie, no storage)", async () => {
    const cookies = await page.context().cookies();
    expect(cookies.map((c) => c.name).filter((n) => /ph_|posthog/i.test(n))).toEqual([]);
    const stored = await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]);
    expect(stored.filter((k) => /ph_|posthog/i.test(k))).toEqual([]);
  });
});
