import {
  CONNECTION_LOST_MS,
  HEARTBEAT_MS,
  RECONNECT_GRACE_MS,
  sweepStaleCalls,
  touchAgent,
  touchCall,
} from "@cac/core";
import { callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableOwner } from "./call-clients";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness, uniqueIp } from "./harness";

/**
 * The longest a connected party goes unheard while its stream reconnects: its last heartbeat came
 * just before the drop, and the next one when the new stream opens.
 */
const LONGEST_SILENCE_MS = HEARTBEAT_MS + RECONNECT_GRACE_MS;

describe("heartbeats and the sweeper during a reconnect", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ redis: false });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  async function answeredCall() {
    const { owner, button } = await availableOwner(h);
    const me = (await owner.trpc.account.me.query())!;
    const visitor = h.client({ origin: "https://shop.test", ip: uniqueIp() });
    const started = await visitor.trpc.calls.start.mutate({ button: button.publicId });
    await owner.trpc.phone.answer.mutate({ sessionId: started.sessionId });
    return { sessionId: started.sessionId, userId: me.user.id, button, visitor };
  }
  const status = async (sessionId: string) =>
    (await h.db.db.select().from(callSessions).where(eq(callSessions.id, sessionId)))[0]?.status;

  it(`an answered call whose parties are silent for ${LONGEST_SILENCE_MS / 1000} s stays up, through every sweep`, async () => {
    const call = await answeredCall();
    // Both streams drop together (their instance stopped) right after a heartbeat each.
    await touchCall(h.ports, call.sessionId);
    await touchAgent(h.ports, call.userId);
    for (let waited = 0; waited < LONGEST_SILENCE_MS; waited += 1000) {
      h.clock.advance(1000);
      expect(await sweepStaleCalls(h.ports, 30)).toBe(0);
    }
    expect(await status(call.sessionId)).toBe("in-progress");
    // Still present for new calls too, while its panel reconnects.
    const another = await call.visitor.trpc.calls.start.mutate({ button: call.button.publicId });
    expect(another.transport).toBe("webrtc");

    // Both reconnect (each stream's first heartbeat), and the call goes on as before.
    await touchCall(h.ports, call.sessionId);
    await touchAgent(h.ports, call.userId);
    h.clock.advance(LONGEST_SILENCE_MS);
    expect(await sweepStaleCalls(h.ports, 30)).toBe(0);
    expect(await status(call.sessionId)).toBe("in-progress");
  });

  it.each(["visitor", "agent"] as const)(
    "a call whose %s stays silent past the window ends as a lost connection",
    async (silent) => {
      const call = await answeredCall();
      const heard = {
        visitor: () => touchCall(h.ports, call.sessionId),
        agent: () => touchAgent(h.ports, call.userId),
      };
      await heard[silent]();
      for (let waited = 0; waited <= CONNECTION_LOST_MS; waited += HEARTBEAT_MS / 2) {
        h.clock.advance(HEARTBEAT_MS / 2);
        // The other party stays connected; this one never comes back.
        await heard[silent === "visitor" ? "agent" : "visitor"]();
        await sweepStaleCalls(h.ports, 30);
      }
      const [row] = await h.db.db.select().from(callSessions).where(eq(callSessions.id, call.sessionId));
      expect(row).toMatchObject({ status: "completed", failureReason: "The connection was lost." });
    },
  );
});
