import type { Ports } from "@cac/core";
import { reconcileUsageTotals } from "@cac/core";
import { runEvery } from "./every";

/** Nightly: the totals are kept exactly by each call's start and end; this only catches drift. */
export const USAGE_RECONCILE_EVERY_MS = 24 * 60 * 60 * 1000;

/**
 * Compares each account's usage totals with the call log once a day (first right after start), and
 * corrects and reports any drift (the `usage_drift` and `usage_reconcile` log lines). Every instance
 * may run it: an advisory lock lets one do the work.
 */
export function startUsageReconcile(ports: Pick<Ports, "db" | "clock" | "log">) {
  return runEvery(
    USAGE_RECONCILE_EVERY_MS,
    () => reconcileUsageTotals(ports),
    ports.log,
    "usage reconciliation",
  );
}
