// npm run bench -- push-latency [--rounds 100] [--warmup 10]
//
// How long an incoming call takes to reach a member's phone by Web Push: the time from the
// visitor's calls.start (POST, sent by this process) until the encrypted push request arrives at a
// push service standing in on loopback HTTPS (apps/server/test/push-service-stand-in.ts; the
// server's real web-push encrypts and signs it). Measured in the same run as a baseline: the same
// calls.start with no device subscribed. Also reported: calls.start's own response time in both
// phases, since the push must not lengthen it (it is sent after the response). The real app runs
// in this process, with the VAPID keys set and its push requests trusting the stand-in.
import { parseArgs } from "node:util";
import { pushSubscriptions } from "@cac/db";
import {
  decryptPush,
  type ReceivedPush,
  startPushService,
  vapidKeys,
} from "../apps/server/test/push-service-stand-in";
import { writeResult } from "./call-log";
import { BENCH_RING_SECONDS, liftedCallLimits, prepareCallsStart } from "./lib/calls-start";
import { nextVisitorIp } from "./lib/measure";
import { startRealApp } from "./lib/real-app";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "100" },
    warmup: { type: "string", default: "10" },
  },
});
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
const summary = (ms: number[]) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted.at(-1) ?? Number.NaN,
  };
};

const push = await startPushService();
const vapid = vapidKeys();
const app = await startRealApp({
  limits: liftedCallLimits,
  trustProxy: true,
  ringTimeoutSeconds: BENCH_RING_SECONDS,
  pushAgent: push.agent,
  env: {
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: "mailto:bench@clickandcall.test",
  },
});
const { request, accountId, stopPresence } = await prepareCallsStart(app);

/** One calls.start from a new visitor: its session id and the ms until its response. */
async function startCall(): Promise<{ sessionId: string; sent: number; responseMs: number }> {
  const sent = performance.now();
  const response = await fetch(request.url, {
    method: "POST",
    headers: { ...request.headers, "x-forwarded-for": nextVisitorIp() },
    body: request.body,
  });
  const body = (await response.json()) as { result?: { data: { json: { sessionId: string } } } };
  const responseMs = performance.now() - sent;
  const sessionId = body.result?.data.json.sessionId;
  if (!sessionId) throw new Error(`calls.start answered ${response.status}: ${JSON.stringify(body)}`);
  return { sessionId, sent, responseMs };
}

async function phase(withDevice: boolean) {
  const responses: number[] = [];
  const arrivals: number[] = [];
  // Per call: how long after its own response the push arrived.
  const afterResponse: number[] = [];
  const device = withDevice ? push.subscription() : null;
  if (device) {
    const [owner] = await app.db.db.query.memberships.findMany({
      where: (m, { eq }) => eq(m.accountId, accountId),
    });
    if (!owner) throw new Error("the bench owner is missing");
    await app.db.db.insert(pushSubscriptions).values({
      userId: owner.userId,
      endpoint: device.endpoint,
      p256dh: device.keys.p256dh,
      auth: device.keys.auth,
      label: "bench phone",
    });
  }
  for (let round = 0; round < warmup + rounds; round++) {
    let arrived: ReceivedPush | null = null;
    push.onPush = (received) => {
      arrived = received;
    };
    const { sessionId, sent, responseMs } = await startCall();
    if (device) {
      const deadline = Date.now() + 10_000;
      while (!arrived && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
      const got = arrived as ReceivedPush | null;
      if (!got) throw new Error("the push never arrived");
      const payload = JSON.parse(decryptPush(got.body, device.browser)) as { callId: string };
      if (payload.callId !== sessionId) throw new Error("a push for another call arrived");
      if (round >= warmup) {
        arrivals.push(got.at - sent);
        afterResponse.push(got.at - sent - responseMs);
      }
    }
    if (round >= warmup) responses.push(responseMs);
  }
  push.onPush = undefined;
  return {
    response: summary(responses),
    push: withDevice ? summary(arrivals) : null,
    afterResponse: withDevice ? summary(afterResponse) : null,
  };
}

console.log(`Push latency: ${warmup} warmup + ${rounds} rounds per phase, database ${app.db.kind}`);
try {
  const baseline = await phase(false);
  const withPush = await phase(true);
  const fmt = (ms: number | undefined) => (ms === undefined || Number.isNaN(ms) ? "-" : ms.toFixed(2));
  console.log("phase                          p50 ms   p95 ms   max ms");
  const line = (name: string, s: { p50: number; p95: number; max: number } | null) =>
    s &&
    console.log(
      `${name.padEnd(29)} ${fmt(s.p50).padStart(7)}  ${fmt(s.p95).padStart(7)}  ${fmt(s.max).padStart(7)}`,
    );
  line("calls.start response, no push", baseline.response);
  line("calls.start response, push", withPush.response);
  line("calls.start -> push arrives", withPush.push);
  line("response -> push arrives", withPush.afterResponse);
  console.log(
    `calls.start's response with a subscribed device: ${fmt(withPush.response.p50 / baseline.response.p50)}x the baseline without (p50), ${fmt(withPush.response.p95 / baseline.response.p95)}x (p95)`,
  );
  console.log(
    `Written: ${writeResult("push-latency", { rounds, warmup, database: app.db.kind, baseline, withPush })}`,
  );
} finally {
  stopPresence();
  await app.close();
  await push.close();
}
process.exit(0);
