import { buildApp } from "./app";
import { ConfigError, loadConfig } from "./config";
import { runRetentionJobs } from "./jobs/runner";

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

try {
  process.loadEnvFile();
} catch {}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Click & Call jobs cannot start.\n${error.message}\nSee .env.example for every setting.`);
    process.exit(1);
  }
  throw error;
}

// The server's own adapters (database, mailer, storage), without listening or its timers.
const { app, db, ports } = await buildApp(config, { jobs: false });
let failed = false;
try {
  await db.migrate();
  const reports = await runRetentionJobs(ports);
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
