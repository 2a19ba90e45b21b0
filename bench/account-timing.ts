// npm run bench -- account-timing [--tries 50] [--resend-ms 100] [--pause-ms 100]
//
// Whether an answer's time tells that an email has an account. `auth.requestPasswordReset` and
// `auth.signup` are sent, one at a time, for an email that has an account ("known") and for one
// that has none ("unknown": a new address each try), alternating known and unknown so a drift of
// the machine weighs on both alike; `--tries` of each (after 5 of each to warm up), in one run.
// Each time is the client's, from sending the request to the end of the answer's body, and tries
// are `--pause-ms` apart, so each one finds the server idle as a patient prober would.
//
// Two servers run side by side in one child process, each on its own fresh database (in-memory
// PGlite, or a new database on the Postgres at TEST_DATABASE_URL):
// - "dev outbox": the default mailer;
// - "resend": RESEND_API_KEY set, the real SDK pointed at a local stand-in for api.resend.com
//   that answers after `--resend-ms` (a real API round trip), so a request that waited for its
//   email would show it.
// The per-IP and per-email limits are lifted (each try is counted, none refused).
//
// Reported per server and case: the median and p90 of known and unknown, and known/unknown of
// the medians (1.00 = the answer's time does not depend on the account). Afterwards the emails
// that actually went out are counted, so a path that "answers fast" by sending nothing would show:
// every known try must have produced its email, and no unknown reset any.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { LimitPolicy } from "@cac/core";
import { type DbHandle, outboxMessages, users } from "@cac/db";
import { createTestDb } from "@cac/db/testing";
import { eq, sql } from "drizzle-orm";
import { buildApp } from "../apps/server/src/app";
import { loadConfig } from "../apps/server/src/config";
import { writeResult } from "./call-log";
import { startTarget } from "./lib/spawn";
import { defineTarget } from "./lib/target";

const PORTAL_ORIGIN = "http://localhost:3000";
const KNOWN = "known-owner@clickandcall.test";
const PASSWORD = "correct-battery-staple-42";
const LIFTED: LimitPolicy = { points: 1_000_000_000, durationSeconds: 60 };
const RESEND_KEY = "re_bench_clickandcall";
const WARMUP = 5;

type Mode = "dev outbox" | "resend";
type Case = "requestPasswordReset" | "signup";

// --- The servers (a child process, started through bench/lib/child.ts) -----------------------

/** api.resend.com's stand-in: accepts POST /emails after `delayMs`, and counts what it accepted. */
async function startSlowResend(delayMs: number) {
  const accepted: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      setTimeout(() => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { to?: string };
        accepted.push(String(body.to));
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id: `bench-${accepted.length}` }));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function signupInput(email: string) {
  return {
    name: "Bench Owner",
    email,
    companyName: "Bench Plumbing",
    websiteUrl: "bench-plumbing.test",
    phone: "(202) 555-0143",
    password: PASSWORD,
    ageConfirmed: true,
  };
}

async function post(url: string, path: string, input: unknown) {
  const response = await fetch(`${url}/trpc/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL_ORIGIN },
    body: JSON.stringify({ json: input }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return text;
}

async function startServer(env: Record<string, string>) {
  const db: DbHandle = await createTestDb();
  const config = loadConfig({
    NODE_ENV: "test",
    PUBLIC_URL: PORTAL_ORIGIN,
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "silent",
    ...env,
  });
  const built = await buildApp(config, {
    db,
    limits: {
      "signup.ip": LIFTED,
      "signup.email": LIFTED,
      "reset.ip": LIFTED,
      "reset.email": LIFTED,
    },
  });
  await built.app.listen({ port: 0, host: "127.0.0.1" });
  const url = `http://127.0.0.1:${(built.app.server.address() as AddressInfo).port}`;
  // The known account: signed up through the API (its email may be sent after the answer).
  await post(url, "auth.signup", signupInput(KNOWN));
  for (let i = 0; ; i++) {
    const [row] = await db.db.select({ id: users.id }).from(users).where(eq(users.email, KNOWN));
    if (row) break;
    if (i > 500) throw new Error("the known account was never created");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url,
    db,
    async close() {
      await built.app.close();
      await db.close();
    },
  };
}

export default defineTarget({
  name: "account-timing-servers",
  description: "two real apps (dev outbox, Resend stand-in) for auth.requestPasswordReset and auth.signup",
  async start() {
    const resendMs = Number(process.env.BENCH_RESEND_MS ?? "100");
    const resend = await startSlowResend(resendMs);
    const outboxApp = await startServer({});
    const resendApp = await startServer({ RESEND_API_KEY: RESEND_KEY, RESEND_BASE_URL: resend.url });
    const rows = async (db: DbHandle, query: ReturnType<typeof sql>) => {
      const result = (await db.db.execute(query)) as unknown as
        | { rows: Array<Record<string, number>> }
        | Array<Record<string, number>>;
      return (Array.isArray(result) ? result : result.rows)[0] ?? {};
    };
    // The emails that went out so far, by recipient kind (known address, or any other).
    const control = createServer((req, res) => {
      void (async () => {
        if (req.url !== "/stats") return res.writeHead(404).end();
        const outbox = await rows(
          outboxApp.db,
          sql`select count(*) filter (where ${outboxMessages.to} = ${KNOWN})::int as known,
                     count(*) filter (where ${outboxMessages.to} <> ${KNOWN})::int as unknown
              from ${outboxMessages}`,
        );
        const stats = {
          "dev outbox": outbox,
          resend: {
            known: resend.accepted.filter((to) => to === KNOWN).length,
            unknown: resend.accepted.filter((to) => to !== KNOWN).length,
          },
          database: outboxApp.db.kind,
        };
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(stats));
      })().catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
    const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
    return {
      url: controlUrl,
      notes: { outbox: outboxApp.url, resend: resendApp.url, resendMs: String(resendMs) },
      async stop() {
        control.close();
        await outboxApp.close();
        await resendApp.close();
        await resend.close();
      },
    };
  },
});

// --- The prober (this process) ----------------------------------------------------------------

type Summary = { n: number; median: number; p90: number; min: number };

function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 ? (sorted[Math.floor(mid)] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  return { n: sorted.length, median, p90: at(0.9), min: sorted[0] ?? 0 };
}

let fresh = 0;
function unknownEmail() {
  fresh += 1;
  return `nobody-${process.pid}-${fresh}@clickandcall.test`;
}

async function timed(url: string, kase: Case, known: boolean): Promise<number> {
  const email = known ? KNOWN : unknownEmail();
  const input = kase === "signup" ? signupInput(email) : { email };
  const started = performance.now();
  const text = await post(url, `auth.${kase}`, input);
  const ms = performance.now() - started;
  if (!/check your inbox|if an account uses that email/i.test(text))
    throw new Error(`auth.${kase} answered unexpectedly: ${text.slice(0, 200)}`);
  return ms;
}

async function probe(url: string, kase: Case, tries: number, pauseMs: number) {
  const samples = { known: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < WARMUP + tries; i++) {
    // Alternate which goes first, so neither always follows the other.
    const order = i % 2 ? [true, false] : [false, true];
    for (const known of order) {
      const ms = await timed(url, kase, known);
      if (i >= WARMUP) samples[known ? "known" : "unknown"].push(ms);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
  const known = summarize(samples.known);
  const unknown = summarize(samples.unknown);
  return { known, unknown, ratio: known.median / unknown.median, samples };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      tries: { type: "string", default: "50" },
      "resend-ms": { type: "string", default: "100" },
      "pause-ms": { type: "string", default: "100" },
    },
  });
  const tries = Number(values.tries);
  const pauseMs = Number(values["pause-ms"]);
  process.env.BENCH_RESEND_MS = values["resend-ms"];
  console.log(
    `account-timing: ${tries} tries each of known and unknown (after ${WARMUP} to warm up), ` +
      `${pauseMs} ms apart; Resend stand-in answers in ${values["resend-ms"]} ms; ` +
      `database: ${process.env.TEST_DATABASE_URL ? "Postgres at TEST_DATABASE_URL" : "in-memory PGlite"}`,
  );
  const servers = await startTarget(fileURLToPath(import.meta.url));
  const results: Array<{ mode: Mode; case: Case } & Awaited<ReturnType<typeof probe>>> = [];
  try {
    const urls: Record<Mode, string> = {
      "dev outbox": servers.info.notes?.outbox ?? "",
      resend: servers.info.notes?.resend ?? "",
    };
    for (const mode of ["dev outbox", "resend"] as const) {
      for (const kase of ["requestPasswordReset", "signup"] as const) {
        results.push({ mode, case: kase, ...(await probe(urls[mode], kase, tries, pauseMs)) });
      }
    }
    // Emails sent after the answer get a moment to go out before they are counted.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const stats = (await (await fetch(`${servers.info.url}/stats`)).json()) as Record<
      string,
      { known: number; unknown: number }
    >;

    const ms = (value: number) => value.toFixed(2).padStart(8);
    console.log("");
    console.log(
      "server      case                   known p50  unknown p50  known p90  unknown p90  known/unknown",
    );
    for (const r of results) {
      console.log(
        `${r.mode.padEnd(11)} ${r.case.padEnd(21)} ${ms(r.known.median)} ms ${ms(r.unknown.median)} ms` +
          ` ${ms(r.known.p90)} ms ${ms(r.unknown.p90)} ms  ${r.ratio.toFixed(2).padStart(12)}`,
      );
    }
    const expectedKnown = 2 * (WARMUP + tries) + 1;
    console.log(
      `\nEmails that went out (each server: ${expectedKnown} expected to the known address, ` +
        `${WARMUP + tries} signup confirmations and no reset to unknown addresses):`,
    );
    for (const mode of ["dev outbox", "resend"] as const) {
      const s = stats[mode];
      console.log(`  ${mode}: to the known address ${s?.known}, to unknown addresses ${s?.unknown}`);
    }
    console.log(`Machine: ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)}`);
    const file = writeResult("account-timing", {
      tries,
      pauseMs,
      resendMs: Number(values["resend-ms"]),
      database: process.env.TEST_DATABASE_URL ? "postgres" : "pglite",
      results: results.map(({ samples: _samples, ...rest }) => rest),
      emails: stats,
    });
    console.log(`Written: ${file}`);
  } finally {
    await servers.stop();
  }
}
