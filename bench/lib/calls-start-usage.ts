// calls.start as its account's month fills up: the same request as the calls-start target, for an
// account that already has N calls in its current usage period (seeded before the run). What
// a call start costs must not grow with them: compare each to the N = 0 case of the same run.
import { BENCH_RING_SECONDS, liftedCallLimits, prepareCallsStart } from "./calls-start";
import { startRealApp } from "./real-app";
import { defineTarget } from "./target";

export function callsStartUsageTarget(periodCalls: number) {
  const label = periodCalls >= 1000 ? `${periodCalls / 1000}k` : String(periodCalls);
  return defineTarget({
    name: `calls-start-usage-${label}`,
    description: `real app, POST /trpc/calls.start, ${periodCalls.toLocaleString("en-US")} calls already in the account's period`,
    async start() {
      const app = await startRealApp({
        limits: liftedCallLimits,
        trustProxy: true,
        ringTimeoutSeconds: BENCH_RING_SECONDS,
      });
      const { request, stopPresence } = await prepareCallsStart(app, { periodCalls });
      return {
        ...request,
        notes: { database: app.db.kind, periodCalls: String(periodCalls) },
        relativeTo: "calls-start-usage-0",
        async stop() {
          stopPresence();
          await app.close();
        },
      };
    },
  });
}
