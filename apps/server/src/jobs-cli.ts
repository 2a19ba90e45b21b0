import { buildApp } from "./app";
import { runRetentionJobs } from "./jobs/runner";
import { loadStartupConfig } from "./startup-config";

/**
 * `npm run jobs -- --once`: runs the retention jobs once against the configured database (after
 * applying migrations, as the server does at start), prints what each did, and exits non-zero
 * when one failed. The server runs the same jobs every JOBS_INTERVAL_SECONDS on its own.
 */
const args = process.argv.slice(2);
if (!args.includes("--once")) {
  console.error("Usage: npm run jobs -- --once\nRuns the retention and deletion jobs once, then exits.");
  process.exit(2);
}

const config = loadStartupConfig("Click & Call jobs");

// The server's own adapters (database, mailer, storage), without listening or its timers.
const { app, db, ports, emailWorker } = await buildApp(config, { jobs: false, emailWorker: false });
let failed = false;
try {
  await db.migrate();
  const reports = await runRetentionJobs(ports);
  // The "account deleted" emails this run queued go out now; any not accepted stay queued, and a
  // server's worker retries them.
  await emailWorker.drain();
  for (const report of reports) {
    const counts = report.counts
      ? Object.entries(report.counts)
          .map(([name, n]) => `${name}=${n}`)
          .join(" ")
      : "see the log for the cause";
    console.log(`${report.job}: ${report.outcome}${counts ? ` (${counts})` : ""}`);
    if (report.outcome === "failed") failed = true;
  }
} catch (error) {
  console.error("The jobs could not run:", error);
  failed = true;
} finally {
  await app.close();
}
process.exit(failed ? 1 : 0);
