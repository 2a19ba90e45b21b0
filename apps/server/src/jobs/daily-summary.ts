import type { Ports, Settings } from "@cac/core";
import { sendDailySummaries } from "@cac/core";
import { runEvery } from "./every";

/** How often the due summaries are looked for: each goes out within this of the account's midnight. */
const CHECK_EVERY_MS = 5 * 60_000;

/**
 * Emails yesterday's numbers to the members who asked for a daily summary, once per day of their
 * account's timezone. Every instance may run it: each member's day is claimed by a compare-and-set
 * (notification_preferences.summary_sent_on), so none goes out twice.
 */
export function startDailySummaries(ports: Ports, settings: Pick<Settings, "publicUrl">) {
  return runEvery(
    CHECK_EVERY_MS,
    () => sendDailySummaries({ ...ports, settings }),
    ports.log,
    "daily summaries",
  );
}
