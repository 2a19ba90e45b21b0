// The widget's call.start: POST /trpc/calls.start from an allowed site, the whole path (button,
// Origin, the entry guards: IP block check, call.ip limit, captcha (off), call.button limit; then
// schedule, plan usage, an available agent, the call session insert, ring events, ring timer).
// Limiter and pubsub in-process.
import { BENCH_RING_SECONDS, liftedCallLimits, prepareCallsStart } from "../lib/calls-start";
import { startRealApp } from "../lib/real-app";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "calls-start",
  description: "real app, POST /trpc/calls.start (creates a ringing call), in-process limiter",
  async start() {
    const app = await startRealApp({
      limits: liftedCallLimits,
      trustProxy: true,
      ringTimeoutSeconds: BENCH_RING_SECONDS,
    });
    const { request, stopPresence } = await prepareCallsStart(app);
    return {
      ...request,
      notes: { database: app.db.kind, limiter: app.ports.limiter.mode, pubsub: app.ports.pubsub.mode },
      async stop() {
        stopPresence();
        await app.close();
      },
    };
  },
});
