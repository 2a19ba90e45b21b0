import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { type DbHandle, outboxMessages } from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { type APIRequestContext, test as base, expect, type Page } from "@playwright/test";
import { desc, eq } from "drizzle-orm";
import { buildApp } from "../apps/server/src/app";
import { loadConfig } from "../apps/server/src/config";

// E2E_WEB_DIST lets a run use a portal build of its own instead of apps/web/dist.
const webDist = process.env.E2E_WEB_DIST ?? fileURLToPath(new URL("../apps/web/dist", import.meta.url));

export type E2eServer = {
  /** http://localhost:<port>: the portal's PUBLIC_URL, which the server checks Origin against. */
  url: string;
  /** The worker's database, for seeding what the UI cannot create (call sessions, billing records). */
  db: DbHandle["db"];
  /** The newest email kept in the dev outbox for this address, once the email queue is done. */
  lastEmailTo(to: string): Promise<{ subject: string; text: string } | undefined>;
};

/** Asks the OS for a free port, so PUBLIC_URL can name it before the server is built. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(db: DbHandle, env: Record<string, string>) {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const config = loadConfig({
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      // Pages must be on http://localhost (a secure context for getUserMedia).
      PUBLIC_URL: `http://localhost:${port}`,
      LOG_LEVEL: "warn",
      WEB_DIST_DIR: webDist,
      ...env,
    });
    // Every browser of a worker signs up from 127.0.0.1: the per-IP signup limit (10 an hour)
    // would stop a worker's later tests, and is not what these tests are about.
    const built = await buildApp(config, {
      db,
      limits: { "signup.ip": { points: 10_000, durationSeconds: 60 } },
    });
    try {
      await built.app.listen({ port, host: config.host });
      return { built, url: config.publicUrl.origin };
    } catch (error) {
      await built.app.close();
      // Another process took the port between the probe and listen: pick another.
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt >= 3) throw error;
    }
  }
}

/**
 * Each worker runs its own server on its own in-memory database, so tests never share state
 * with tests in other workers and can run in parallel.
 */
export const test = base.extend<
  { failOnPageErrors: undefined },
  { server: E2eServer; serverEnv: Record<string, string> }
>({
  // More server settings for a file or describe block, e.g.
  // `test.use({ serverEnv: { RING_TIMEOUT_SECONDS: "5" } })`; such tests get a worker of their own.
  serverEnv: [{}, { scope: "worker", option: true }],
  server: [
    async ({ serverEnv }, use) => {
      if (!existsSync(`${webDist}/index.html`)) {
        throw new Error("The portal is not built. Run `npm run build -w @cac/web` before the e2e tests.");
      }
      const db = await createTestDb({ backend: "pglite" });
      const { built, url } = await startServer(db, serverEnv);
      await use({
        url,
        db: db.db,
        async lastEmailTo(to) {
          await built.emailWorker.drain();
          const [row] = await db.db
            .select({ subject: outboxMessages.subject, text: outboxMessages.text })
            .from(outboxMessages)
            .where(eq(outboxMessages.to, to))
            .orderBy(desc(outboxMessages.createdAt))
            .limit(1);
          return row;
        },
      });
      await built.app.close();
      await db.close();
    },
    // In-memory PGlite starts and migrates in a few seconds, but far slower on a loaded machine.
    { scope: "worker", timeout: 180_000 },
  ],
  baseURL: async ({ server }, use) => {
    await use(server.url);
  },
  // An uncaught exception in the portal fails the test even when the page still looks right.
  failOnPageErrors: [
    async ({ page }, use) => {
      const errors: Error[] = [];
      page.on("pageerror", (error) => errors.push(error));
      await use(undefined);
      expect(errors, "uncaught errors in the page").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

let counter = 0;

/** A new address per call, unique across workers and runs. */
export function uniqueEmail(prefix = "owner"): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}@acme-plumbing.test`;
}

export const PASSWORD = "correct-battery-staple-42";

export const company = {
  name: "Dana Owner",
  companyName: "Acme Plumbing",
  website: "acme-plumbing.com",
  phone: "(202) 555-0143",
};

/**
 * Signs up through the API as the portal would (from its own origin) and returns the
 * confirmation link emailed to `email`. `extra` adds fields, e.g. a captcha token.
 */
export async function signUpThroughApi(
  request: APIRequestContext,
  server: E2eServer,
  email: string,
  extra: { captchaToken?: string } = {},
): Promise<string> {
  const response = await request.post(`${server.url}/trpc/auth.signup`, {
    headers: { origin: server.url, "content-type": "application/json" },
    data: {
      json: {
        name: company.name,
        email,
        companyName: company.companyName,
        websiteUrl: company.website,
        phone: company.phone,
        password: PASSWORD,
        ageConfirmed: true,
        ...extra,
      },
    },
  });
  expect(response.ok(), await response.text()).toBe(true);
  const mail = await server.lastEmailTo(email);
  const link = mail?.text.match(/https?:\/\/\S+\/verify-email\?token=[\w-]+/)?.[0];
  if (!link) throw new Error(`no confirmation link was emailed to ${email}`);
  return link;
}

/** A confirmed account, logged in on this page: signs up through the API, then opens the emailed link. */
export async function signUpConfirmedUser(page: Page, server: E2eServer, email = uniqueEmail()) {
  await page.goto(await signUpThroughApi(page.request, server, email));
  await expect(page.getByRole("heading", { level: 1, name: /welcome/i })).toBeVisible();
  return { email, password: PASSWORD };
}
