import type { Ports } from "@cac/trpc";
import { sweepStaleCalls } from "@cac/trpc/services/calls/sweeper";

const SWEEP_EVERY_MS = 15_000;

/** Closes calls whose connections are gone, including those left open by a restart. */
export function startCallSweeper(ports: Ports, ringTimeoutSeconds: number) {
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= sweepStaleCalls(ports, ringTimeoutSeconds)
      .then(
        () => {},
        (error) => ports.log.warn({ err: error }, "call sweep failed; retrying on the next tick"),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(run, SWEEP_EVERY_MS);
  timer.unref();
  // A restart sweeps at once, so calls left open by the previous process end promptly.
  void run();
  return {
    /** Stops the timer and waits for a sweep under way, so the database is not closed under it. */
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
