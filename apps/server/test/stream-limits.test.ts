import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { availableOwner } from "./call-clients";
import { type Cluster, clusterSkipReason, startCluster } from "./cluster/cluster";
import { clusterOwner, instanceSide, sameBrowserOn } from "./cluster/owner";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueIp,
} from "./harness";
import { readSse, type SseStream, subscriptionUrl } from "./sse-reader";

const SHOP = "https://shop.test";
const limits = { SSE_STREAMS_PER_IP: "3", SSE_STREAMS_PER_SESSION: "2" };

/** The owner's phone panel feed on `h` (a harness, or one instance of a cluster), with its cookies. */
const panel = (h: Pick<Harness, "url">, owner: TestClient) =>
  readSse(subscriptionUrl(h.url, "phone.events"), { fetch: owner.fetch });

async function opened(stream: SseStream) {
  expect(stream.status).toBe(200);
  await stream.waitFor(0);
  return stream;
}

function expectRefused(stream: SseStream, scope: "network" | "session") {
  expect(stream.status).toBe(429);
  expect(stream.headers.get("retry-after")).toBe("5");
  expect(stream.refusal).toMatchObject({
    error: {
      json: {
        message: expect.stringContaining(
          `Too many live connections ${scope === "network" ? "from your network" : "for this session"}`,
        ),
        data: { code: "TOO_MANY_REQUESTS", httpStatus: 429, appCode: "TOO_MANY_STREAMS" },
      },
    },
  });
}

/** Opens the stream again until its slot is free (the server sees the close a moment later). */
async function reopens(open: () => Promise<SseStream>) {
  for (let tries = 0; tries < 50; tries++) {
    const stream = await open();
    if (stream.status === 200) return stream;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the slot was never freed");
}

describe("live stream limits on one instance", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ redis: false, env: limits });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("a session holds two streams: the third is refused with 429 TOO_MANY_STREAMS, and a closed one frees its slot", async () => {
    const { client: owner } = await signupVerified(h);
    const first = await opened(await panel(h, owner));
    const second = await opened(await panel(h, owner));
    expectRefused(await panel(h, owner), "session");
    // Requests that hold no stream are not counted.
    expect(await owner.trpc.account.me.query()).not.toBeNull();
    first.drop();
    const third = await reopens(() => panel(h, owner));
    second.drop();
    third.drop();
  });

  it("a network holds three streams whatever the sessions (three calls): the fourth is refused, others are not", async () => {
    const { button } = await availableOwner(h);
    const ip = uniqueIp();
    const visitor = h.client({ origin: SHOP, ip });
    const callStream = async (from: string) => {
      const started = await visitor.trpc.calls.start.mutate({ button: button.publicId });
      const input = { button: button.publicId, sessionId: started.sessionId, token: started.token };
      return readSse(subscriptionUrl(h.url, "calls.events", input), {
        headers: { origin: SHOP, "x-forwarded-for": from },
      });
    };
    const streams = [];
    for (let i = 0; i < 3; i++) streams.push(await opened(await callStream(ip)));
    expectRefused(await callStream(ip), "network");
    const elsewhere = await opened(await callStream(uniqueIp()));
    streams[0]?.drop();
    streams.push(await reopens(() => callStream(ip)));
    for (const stream of [...streams, elsewhere]) stream.drop();
  });
});

const skip = clusterSkipReason();
if (skip) console.warn(`stream-limits.test.ts: the two-process suite is skipped: ${skip}`);

describe.skipIf(skip !== null)("live stream limits across two server processes through Redis", () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, env: limits });
  }, 240_000);
  afterAll(() => cluster?.close(), 60_000);

  it("a session's two streams count on every instance: one on A and one on B, a third on either is refused", async () => {
    const [instanceA, instanceB] = cluster.instances;
    if (!instanceA || !instanceB) throw new Error("two instances expected");
    const [a, b] = [instanceSide(cluster, instanceA), instanceSide(cluster, instanceB)];
    // Logged in on A, with no panel of its own open yet: the streams below are the session's only ones.
    const owner = sameBrowserOn(cluster, instanceA, (await clusterOwner(cluster)).client);
    const onA = await opened(await panel(a, owner));
    const onB = await opened(await panel(b, owner));
    expectRefused(await panel(a, owner), "session");
    expectRefused(await panel(b, owner), "session");
    onB.drop();
    const again = await reopens(() => panel(a, owner));
    onA.drop();
    again.drop();
  });
});
