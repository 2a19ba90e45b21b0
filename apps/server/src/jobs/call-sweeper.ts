import type { Ports } from "@cac/trpc";
import { sweepStaleCalls } from "@cac/trpc/services/calls/sweeper";
import { runEvery } from "./every";

const SWEEP_EVERY_MS = 15_000;

/**
 * Closes calls whose connections are gone, including those left open by a restart: a restart
 * sweeps at once, so calls left open by the previous process end promptly.
 */
export function startCallSweeper(ports: Ports, ringTimeoutSeconds: number) {
  return runEvery(SWEEP_EVERY_MS, () => sweepStaleCalls(ports, ringTimeoutSeconds), ports.log, "call sweep");
}
