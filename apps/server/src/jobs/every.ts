import type { Logger } from "@cac/core";

/**
 * Runs `task` now and then every `ms`, never two runs at once. A run that throws is logged and
 * the next tick tries again. `stop()` ends the timer and waits for a run under way, so the
 * database is not closed under it.
 */
export function runEvery(ms: number, task: () => Promise<unknown>, log: Logger, what: string) {
  let running: Promise<void> | null = null;
  const run = () => {
    running ??= task()
      .then(
        () => {},
        (error) => log.warn({ err: error }, `${what} failed; retrying on the next tick`),
      )
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(run, ms);
  timer.unref();
  void run();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
