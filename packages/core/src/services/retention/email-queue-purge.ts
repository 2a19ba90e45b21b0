import { purgeFinishedWork } from "../email-queue";
import {
  DEFAULT_BATCH,
  inBatches,
  type RetentionDeps,
  type RetentionOptions,
  type RetentionResult,
} from "./job-lock";

/**
 * The email queue's finished rows hold email addresses and subjects (their bodies, with links, go
 * when they finish): sent rows are deleted a day after sending, rows given up on a week after.
 */
export async function purgeEmailQueue(
  deps: Pick<RetentionDeps, "db" | "clock">,
  options: RetentionOptions = {},
): Promise<RetentionResult<{ queuedEmailsDeleted: number }>> {
  const batch = options.batchSize ?? DEFAULT_BATCH;
  const now = deps.clock.now();
  const counts = { queuedEmailsDeleted: 0 };
  const ran = await inBatches(
    deps.db,
    "email-queue",
    batch,
    (tx) => purgeFinishedWork(tx, now, batch),
    (n) => {
      counts.queuedEmailsDeleted += n;
    },
  );
  return { outcome: ran ? "done" : "skipped", counts };
}
