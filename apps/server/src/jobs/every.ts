import type { Logger } from "@cac/trpc";

/**
 * Runs `task` now and then every `ms`, never two runs at once. A run that throws is logged and
 * the next tick tries again. `stop()` ends the timer (a run in progress finishes on its own).
 */
export function runEvery(ms: number, task: () => Promise<unknown>, log: Logger, what: string) {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await task();
    } catch (error) {
      log.warn({ err: error }, `${what} failed; retrying on the next tick`);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, ms);
  timer.unref();
  void run();
  return { stop: () => clearInterval(timer) };
}
