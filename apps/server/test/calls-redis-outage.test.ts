import { sweepStaleCalls } from "@cac/core";
import { callSessions } from "@cac/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryPubSub } from "../src/adapters/pubsub";
import { readyToAnswer } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";
import { eventually, type LocalRedis, startLocalRedis } from "./redis-server";

const SHOP = "https://shop.test";

describe("calls.start while the Redis carrying live events is down", () => {
  let redis: LocalRedis;
  let h: Harness;
  let owner: TestClient;
  let ownerEmail: string;
  beforeAll(async () => {
    // A redis-server of this suite's own, which the test stops and starts again.
    redis = await startLocalRedis();
    h = await startHarness({ env: { REDIS_URL: redis.url, RING_TIMEOUT_SECONDS: "30" } });
    const signedUp = await signupVerified(h);
    owner = signedUp.client;
    ownerEmail = signedUp.email;
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
    await redis?.stop();
  }, HARNESS_TIMEOUT_MS);

  it("refuses the call with LIVE_UNAVAILABLE, keeps no ringing call, and sends no missed-call email", async () => {
    expect(h.ports.pubsub.mode).toBe("redis");
    const button = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    // An agent is reachable (a panel open), so only the live events stand between the visitor
    // and a call.
    const panel = await readyToAnswer(h.url, owner);

    await redis.stop();
    // Readiness says which dependency is down; liveness stays green (the process is fine).
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      ok: false,
      database: { ok: true },
      redis: { ok: false, error: "redis unreachable" },
    });
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);

    const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
    const error = await expectTrpcError(visitor.trpc.calls.start.mutate({ button: button.publicId }));
    expect(error.data?.appCode).toBe("LIVE_UNAVAILABLE");
    expect(error.data?.httpStatus).toBe(503);
    expect(error.message).toMatch(/can't connect calls right now/i);

    // Nothing is left ringing for the timer or the sweeper to turn into a "missed" call.
    const open = (await h.db.db.select().from(callSessions)).filter((c) =>
      ["initiated", "ringing", "in-progress"].includes(c.status),
    );
    expect(open).toEqual([]);
    h.clock.advance(120_000);
    await owner.trpc.phone.setAvailable.mutate({ available: true });
    expect(await sweepStaleCalls(h.ports, 30)).toBe(0);
    const mails = await h.outbox(ownerEmail);
    expect(mails.filter((m) => /missed call/i.test(m.subject))).toEqual([]);

    // Once Redis is back, the instance is ready and calls go through again.
    await redis.start();
    await eventually(async () => (await fetch(`${h.url}/readyz`)).status === 200);
    await eventually(async () => {
      try {
        await h.client({ origin: SHOP, ip: uniqueIp() }).trpc.calls.start.mutate({ button: button.publicId });
        return true;
      } catch {
        return false;
      }
    });
    panel.drop();
  }, 90_000);
});

describe("calls.start when live events fail between the check and the ring", () => {
  let h: Harness;
  beforeAll(async () => {
    // Redis answers the check, then the connection drops before the ring is published: the
    // publish fails as the Redis adapter's does once its connection is gone.
    const live = createMemoryPubSub();
    h = await startHarness({
      build: {
        pubsub: {
          ...live,
          publish: async () => {
            throw new Error("Stream isn't writeable and enableOfflineQueue options is false");
          },
        },
      },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("keeps the call as failed with the reason, and never reports it as missed", async () => {
    const { client: owner, email } = await signupVerified(h);
    const button = await owner.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
    const panel = await readyToAnswer(h.url, owner);

    const visitor = h.client({ origin: SHOP, ip: uniqueIp() });
    const error = await expectTrpcError(visitor.trpc.calls.start.mutate({ button: button.publicId }));
    expect(error.data?.appCode).toBe("LIVE_UNAVAILABLE");

    const rows = await h.db.db.select().from(callSessions).where(eq(callSessions.buttonId, button.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      status: "failed",
      failureReason: "The call could not ring: live events were unavailable.",
      durationSeconds: 0,
    });
    expect(rows[0]?.endedAt).not.toBeNull();

    h.clock.advance(120_000);
    expect(await sweepStaleCalls(h.ports, 30)).toBe(0);
    expect((await h.outbox(email)).filter((m) => /missed call/i.test(m.subject))).toEqual([]);
    panel.drop();
  });
});
