import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { deploymentWarnings } from "../src/deployment-warnings";
import { type Harness, startHarness } from "./harness";
import { type LocalRedis, startLocalRedis } from "./redis-server";

/**
 * A server given REDIS_URL is meant to run next to other instances: logos on its own disk (or an
 * embedded database) would then differ from one instance to the next, so it says so at start.
 */

const s3 = {
  S3_BUCKET: "logos",
  S3_ACCESS_KEY_ID: "key",
  S3_SECRET_ACCESS_KEY: "secret",
  S3_ENDPOINT: "http://127.0.0.1:9000",
};

describe("deployment warnings", () => {
  it("one instance (no REDIS_URL) on local disk and the embedded database: nothing to warn about", () => {
    expect(deploymentWarnings(loadConfig({ DATA_DIR: "/srv/cac" }))).toEqual([]);
  });

  it("several instances (REDIS_URL) with logos on local disk: warns and names S3_BUCKET", () => {
    const warnings = deploymentWarnings(
      loadConfig({
        REDIS_URL: "redis://cache:6379",
        DATABASE_URL: "postgres://db/cac",
        DATA_DIR: "/srv/cac",
      }),
    );
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/logos are stored on this instance's disk \(\/srv\/cac\/uploads\)/);
    expect(warnings[0]).toMatch(/Set S3_BUCKET/);
  });

  it("several instances on the embedded database: warns and names DATABASE_URL", () => {
    const warnings = deploymentWarnings(loadConfig({ REDIS_URL: "redis://cache:6379", ...s3 }));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Set DATABASE_URL/);
  });

  it("several instances on PostgreSQL and S3: nothing to warn about", () => {
    expect(
      deploymentWarnings(
        loadConfig({ REDIS_URL: "redis://cache:6379", DATABASE_URL: "postgres://db/cac", ...s3 }),
      ),
    ).toEqual([]);
  });
});

describe("a server started with REDIS_URL and logos on local disk", () => {
  let redis: LocalRedis;
  let h: Harness;
  const lines: string[] = [];

  beforeAll(async () => {
    redis = await startLocalRedis();
    h = await startHarness({
      redis: false,
      env: { REDIS_URL: redis.url, LOG_LEVEL: "warn" },
      build: { logStream: { write: (line) => lines.push(line) } },
    });
  });

  afterAll(async () => {
    await h?.close();
    await redis?.stop();
  });

  it("logs the warning at start, as a warning", () => {
    const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    const logos = logged.filter((entry) => /logos are stored on this instance's disk/.test(entry.msg));
    expect(logos).toHaveLength(1);
    expect(logos[0]?.level).toBe(40);
  });
});
