import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { LIVENESS_REUSE_MS } from "../src/health";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness } from "./harness";

describe("/healthz", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("answers 200 { ok: true } after a database round trip", async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await res.json()) as { ok: boolean; db: string; dbMs: unknown };
    expect(body).toMatchObject({ ok: true, db: h.db.kind });
    expect(typeof body.dbMs).toBe("number");
    // Never cached by a proxy: a stale 200 would hide an outage.
    expect(res.headers.get("cache-control")).toMatch(/no-store/);
  });

  it("/readyz reports the database and Redis separately, 200 when both are up", async () => {
    const res = await fetch(`${h.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toMatch(/no-store/);
    const body = (await res.json()) as {
      ok: boolean;
      database: { ok: boolean; kind: string; ms: unknown };
      redis: { ok: boolean; configured?: boolean; ms?: unknown };
    };
    expect(body).toMatchObject({ ok: true, database: { ok: true, kind: h.db.kind } });
    expect(typeof body.database.ms).toBe("number");
    // Redis is checked when configured (CI sets REDIS_URL); without it, live events are in-process.
    if (h.ports.pubsub.mode === "redis") expect(typeof body.redis.ms).toBe("number");
    else expect(body.redis).toEqual({ ok: true, configured: false });
    expect(body.redis.ok).toBe(true);
  });

  it("reuses a successful database probe for a second: a flood of /healthz is one round trip per second", async () => {
    // A fresh probe first, so the reuse window starts now.
    await new Promise((resolve) => setTimeout(resolve, LIVENESS_REUSE_MS));
    const ping = vi.spyOn(h.db, "ping");
    try {
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${h.url}/healthz`)));
      for (const res of answers) expect(res.status).toBe(200);
      for (let i = 0; i < 20; i++) expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
      // One probe per started second (a loaded machine may take more than one for these 40).
      const seconds = Math.floor((performance.now() - started) / LIVENESS_REUSE_MS) + 1;
      const successes = ping.mock.calls.length;
      expect(successes).toBeGreaterThanOrEqual(1);
      expect(successes).toBeLessThanOrEqual(seconds);

      // An outage shows once the last success is over a second old, and is never reused.
      ping.mockRejectedValue(new Error("connection refused"));
      await new Promise((resolve) => setTimeout(resolve, LIVENESS_REUSE_MS + 50));
      const down = await fetch(`${h.url}/healthz`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ ok: false, error: "database unreachable" });
      expect((await fetch(`${h.url}/healthz`)).status).toBe(503);
      const failedProbes = ping.mock.calls.length;
      ping.mockRestore();
      expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
      expect(failedProbes - successes).toBe(2);
      // /readyz probes afresh every time.
      const readyPing = vi.spyOn(h.db, "ping");
      await fetch(`${h.url}/readyz`);
      await fetch(`${h.url}/readyz`);
      expect(readyPing.mock.calls.length).toBe(2);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it("answers 503 when the database is down, without leaking details", async () => {
    await h.db.close();
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toMatchObject({ ok: false, db: h.db.kind, error: "database unreachable" });
    expect(JSON.stringify(body)).not.toMatch(/ECONN|CONNECTION_ENDED|closed|stack/i);
    expect(res.headers.get("cache-control")).toMatch(/no-store/);

    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(503);
    const readyBody = await ready.json();
    expect(readyBody).toMatchObject({
      ok: false,
      database: { ok: false, kind: h.db.kind, error: "database unreachable" },
      redis: { ok: true },
    });
    expect(JSON.stringify(readyBody)).not.toMatch(/ECONN|CONNECTION_ENDED|closed|stack/i);
  });
});
