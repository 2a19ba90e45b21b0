import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
