import type { Ports, Settings } from "@cac/core";
import { emailDueCallbacks } from "@cac/core";
import { runEvery } from "./every";

const CHECK_EVERY_MS = 30_000;

/**
 * Sends the callback emails that waited for their button's window to pass (the requests that came
 * in while the button had just emailed). Every instance may run it: each email is claimed by a
 * compare-and-set in the database, so none goes out twice.
 */
export function startCallbackEmails(ports: Ports, settings: Pick<Settings, "publicUrl">) {
  return runEvery(
    CHECK_EVERY_MS,
    () => emailDueCallbacks({ ...ports, settings }),
    ports.log,
    "callback emails",
  );
}
