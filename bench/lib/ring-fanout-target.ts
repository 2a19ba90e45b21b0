// The server side of the ring fan-out benchmark (bench/ring-fanout.ts), in a process of its own:
// the real app with an account whose RING_FANOUT_AGENTS agents (the owner and agents added to
// the account) are available, and the widget's calls.start ready to ring them. The agents' session
// cookies go back to the benchmark in `notes.cookies`, which opens their phone panels' streams.
import { randomBytes } from "node:crypto";
import { createSession, hashPassword } from "@cac/core";
import { memberships, users } from "@cac/db";
import { eq } from "drizzle-orm";
import { BENCH_RING_SECONDS, liftedCallLimits, prepareCallsStart } from "./calls-start";
import { startRealApp } from "./real-app";
import { defineTarget } from "./target";

export default defineTarget({
  name: "ring-fanout",
  description: "real app, an account with RING_FANOUT_AGENTS available agents",
  async start() {
    const agents = Number(process.env.RING_FANOUT_AGENTS ?? "1");
    const redisUrl = process.env.RING_FANOUT_REDIS_URL || undefined;
    const app = await startRealApp({
      limits: liftedCallLimits,
      trustProxy: true,
      ringTimeoutSeconds: BENCH_RING_SECONDS,
      ...(redisUrl ? { redisUrl, limiterKeyPrefix: `cac-bench-${randomBytes(4).toString("hex")}` } : {}),
    });
    const { request, accountId, stopPresence } = await prepareCallsStart(app);
    const [owner] = await app.db.db
      .select({ id: memberships.userId })
      .from(memberships)
      .where(eq(memberships.accountId, accountId));
    if (!owner) throw new Error("the bench owner is missing");
    // The account's other agents are added as rows (faster than invitations), each
    // available with a session of its own, as if they had logged in.
    const passwordHash = await hashPassword(randomBytes(12).toString("hex"));
    const cookies: string[] = [];
    for (let i = 0; i < agents; i++) {
      let userId = owner.id;
      if (i > 0) {
        const [agent] = await app.db.db
          .insert(users)
          .values({
            email: `agent-${i}-${randomBytes(4).toString("hex")}@clickandcall.test`,
            name: `Agent ${i}`,
            passwordHash,
            emailVerifiedAt: new Date(),
            ageConfirmedAt: new Date(),
          })
          .returning({ id: users.id });
        if (!agent) throw new Error("an agent could not be added");
        await app.db.db
          .insert(memberships)
          .values({ accountId, userId: agent.id, role: "agent", available: true, seenAt: new Date() });
        userId = agent.id;
      }
      const { token } = await createSession(app.ports, userId, {});
      cookies.push(`cac_session=${token}`);
    }
    return {
      ...request,
      notes: {
        database: app.db.kind,
        pubsub: app.ports.pubsub.mode,
        cookies: JSON.stringify(cookies),
      },
      async stop() {
        stopPresence();
        await app.close();
      },
    };
  },
});
