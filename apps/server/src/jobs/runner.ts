import {
  deleteClosedAccounts,
  purgeEmailQueue,
  purgeExpiredIps,
  purgeOldOrigins,
  type RetentionDeps,
  type RetentionOptions,
} from "@cac/core";

export type JobReport = {
  job: "ip-retention" | "account-deletion" | "email-queue" | "button-origins";
  outcome: "done" | "skipped" | "failed";
  counts: Record<string, number> | null;
};

/**
 * Runs each retention job once, one after the other. A job that throws (or could not delete
 * every due account) is reported as failed and logged with its cause; the others still run.
 */
export async function runRetentionJobs(
  deps: RetentionDeps,
  options: RetentionOptions = {},
): Promise<JobReport[]> {
  const jobs = [
    ["ip-retention", () => purgeExpiredIps(deps, options)],
    ["account-deletion", () => deleteClosedAccounts(deps, options)],
    ["email-queue", () => purgeEmailQueue(deps, options)],
    ["button-origins", () => purgeOldOrigins(deps, options)],
  ] as const;
  const reports: JobReport[] = [];
  for (const [job, run] of jobs) {
    try {
      const result = await run();
      const counts = result.counts as Record<string, number>;
      const outcome = (counts.accountsFailed ?? 0) > 0 ? "failed" : result.outcome;
      reports.push({ job, outcome, counts });
      if (outcome === "skipped")
        deps.log.info({ job }, "retention job skipped: another instance is running it");
      else if (outcome === "failed")
        deps.log.error({ job, ...counts }, "retention job finished with failures");
      else deps.log.info({ job, ...counts }, "retention job done");
    } catch (error) {
      deps.log.error({ err: error, job }, "retention job failed");
      reports.push({ job, outcome: "failed", counts: null });
    }
  }
  return reports;
}

/**
 * Runs the retention jobs every `intervalSeconds` (JOBS_INTERVAL_SECONDS), first right after
 * start. Every instance may run this: the jobs' advisory locks let one of them do the work.
 * `stop()` waits for a run in progress, so the database is not closed under it.
 */
export function startRetentionJobs(deps: RetentionDeps, intervalSeconds: number) {
  let current: Promise<unknown> | null = null;
  const run = () => {
    if (current) return;
    current = runRetentionJobs(deps, { intervalSeconds }).finally(() => {
      current = null;
    });
  };
  const timer = setInterval(run, intervalSeconds * 1000);
  timer.unref();
  run();
  return {
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
