import { reconcileUsageTotals, sendDailySummaries } from "@cac/core";
import { buildApp } from "./app";
import { runRetentionJobs } from "./jobs/runner";
import { loadStartupConfig } from "./startup-config";

/**
 * `npm run jobs -- --once`: runs the retention jobs once against the configured database (after
 * applying migrations, as the server does at start), then the usage reconciliation and the daily
 * summary emails that are due (each member's day is claimed once, whoever sends it), prints what
 * each did, and exits non-zero when one failed. The server runs the retention jobs every
 * JOBS_INTERVAL_SECONDS on its own, and the reconciliation daily.
 */
const args = process.argv.slice(2);
if (!args.includes("--once")) {
  console.error(
    "Usage: npm run jobs -- --once\nRuns the retention and deletion jobs, the usage reconciliation and the due daily summaries once, then exits.",
  );
  process.exit(2);
}

const config = loadStartupConfig("Click & Call jobs");

// The server's own adapters (database, mailer, storage), without listening or its timers.
const { app, db, ports, emailWorker } = await buildApp(config, { jobs: false, emailWorker: false });
let failed = false;
try {
  await db.migrate();
  const reports = await runRetentionJobs(ports);
  const summaries = await sendDailySummaries({ ...ports, settings: { publicUrl: config.publicUrl } });
  // The emails this run queued ("account deleted", summaries) go out now; any not accepted stay
  // queued, and a server's worker retries them.
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
  console.log(`daily-summary: sent=${summaries}`);
  const usage = await reconcileUsageTotals(ports);
  console.log(
    `usage-reconcile: ${usage.outcome} (checked=${usage.checked} created=${usage.created} drifted=${usage.drifts.length})`,
  );
} catch (error) {
  console.error("The jobs could not run:", error);
  failed = true;
} finally {
  await app.close();
}
process.exit(failed ? 1 : 0);
