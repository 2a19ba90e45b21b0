import type { Ports } from "@cac/core";
import { sweepStaleCalls } from "@cac/core";
import { runEvery } from "./every";

/**
 * Often enough that a ring whose instance stopped still ends within a couple of seconds of its
 * deadline. Each sweep is one query on small partial indexes (the open calls, their deadlines).
 */
const SWEEP_EVERY_MS = 2_000;

/**
 * Ends calls at the deadlines stored in their rows (ring timeout, time limit) when no instance's
 * timer did, and closes calls whose connections are gone, including those left open by a restart.
 * Every instance runs it: each end is a conditional update, so a call is ended once.
 */
export function startCallSweeper(ports: Ports, ringTimeoutSeconds: number) {
  return runEvery(SWEEP_EVERY_MS, () => sweepStaleCalls(ports, ringTimeoutSeconds), ports.log, "call sweep");
}
