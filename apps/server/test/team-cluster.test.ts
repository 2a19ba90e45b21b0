import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, clusterSkipReason, startCluster } from "./cluster/cluster";
import { openEventStream, until } from "./cluster/event-stream";
import { clusterOwner, emailTo, sameBrowserOn } from "./cluster/owner";
import { createTestClient, uniqueEmail } from "./harness";

/**
 * The team across two real server processes (one PostgreSQL, one Redis): an agent's phone panel
 * on instance B, the owner on instance A. Presence and removal must cross from one to the other.
 */

/** An owner through nginx, and an agent they invited who accepted with a new login. */
async function ownerAndAgent(cluster: Cluster) {
  const owner = await clusterOwner(cluster);
  const email = uniqueEmail("cluster-agent");
  await owner.client.trpc.team.invite.mutate({ email, role: "agent" });
  const mail = await emailTo(cluster, email, "/invitation#token=");
  const token = mail.text.match(/\/invitation#token=([A-Za-z0-9_-]+)/)?.[1] ?? "";
  const joined = createTestClient(cluster.proxyUrl, cluster.url);
  await joined.trpc.team.acceptWithNewLogin.mutate({
    token,
    name: "Cluster Agent",
    password: "cluster-agent-password",
    ageConfirmed: true,
  });
  return { owner, email, joined };
}

const cookieOf = (client: { jar: Map<string, string> }) =>
  [...client.jar].map(([name, value]) => `${name}=${value}`).join("; ");

const skip = clusterSkipReason();
if (skip) console.warn(`team-cluster.test.ts is skipped: ${skip}`);

describe.skipIf(skip !== null)("the team across two server processes", () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2 });
  }, 240_000);

  afterAll(async () => {
    await cluster?.close();
  }, 60_000);

  it("the owner on A sees the agent reachable on B, and removing them on A cuts their stream on B", async () => {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error("two instances expected");
    const { owner, email, joined } = await ownerAndAgent(cluster);
    const agent = sameBrowserOn(cluster, b, joined);
    const onA = sameBrowserOn(cluster, a, owner.client);
    await agent.trpc.phone.setAvailable.mutate({ available: true });

    // The agent's panel, held on B.
    const abort = new AbortController();
    const cookie = cookieOf(agent);
    const res = await fetch(`${b.url}/trpc/phone.events`, {
      headers: { accept: "text/event-stream", origin: cluster.url, cookie },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let ended = false;
    const reading = (async () => {
      while (!(await reader.read()).done);
      ended = true;
    })().catch(() => {});

    try {
      // Presence written on B (through Redis) is what A reads.
      await until(async () => {
        const team = await onA.trpc.team.members.query();
        return team.some((m) => m.email === email && m.reachable);
      }, "the agent reachable, as the owner's instance sees it");

      const me = (await onA.trpc.team.members.query()).find((m) => m.email === email);
      await onA.trpc.team.remove.mutate({ userId: me!.userId });
      // A published the removal; B ends the stream it holds (it would stay open otherwise).
      await until(() => ended, "the agent's stream on B to end");
      expect(await agent.trpc.account.me.query()).toBeNull();
      expect((await onA.trpc.team.members.query()).map((m) => m.email)).not.toContain(email);
    } finally {
      abort.abort();
      await reading;
    }
  }, 120_000);

  it("the owner's presence stream on A hears the agent's panel open and close on B, the switch, and the removal", async () => {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error("two instances expected");
    const { owner, email, joined } = await ownerAndAgent(cluster);
    const agent = sameBrowserOn(cluster, b, joined);
    const onA = sameBrowserOn(cluster, a, owner.client);
    const agentId = (await onA.trpc.team.members.query()).find((m) => m.email === email)!.userId;
    type Notice = { type: string; userId?: string; reachable?: boolean; removed?: boolean };
    // The owner's Team page (or phone panel), listening on A.
    const team = openEventStream<Notice>(a.url, "team.presence", undefined, {
      origin: cluster.url,
      cookie: cookieOf(onA),
    });
    let read = 0;
    /** Waits for the next notice about the agent that says `expected`. */
    const heard = async (expected: Partial<Notice>, what: string) => {
      await until(
        () =>
          team.events
            .slice(read)
            .some(
              (n) =>
                n.userId === agentId &&
                Object.entries(expected).every(([k, v]) => n[k as keyof Notice] === v),
            ),
        what,
        10_000,
      );
      read = team.events.length;
    };
    try {
      await until(() => team.events.some((n) => n.type === "listening"), "the owner's stream to listen on A");
      await agent.trpc.phone.setAvailable.mutate({ available: true });
      const panel = openEventStream(b.url, "phone.events", undefined, {
        origin: cluster.url,
        cookie: cookieOf(agent),
      });
      await heard({ reachable: true }, "A to push the panel opened on B");
      panel.close();
      await heard({ reachable: false }, "A to push the panel closed on B");
      const again = openEventStream(b.url, "phone.events", undefined, {
        origin: cluster.url,
        cookie: cookieOf(agent),
      });
      await heard({ reachable: true }, "A to push the panel opened again on B");
      await agent.trpc.phone.setAvailable.mutate({ available: false });
      await heard({ reachable: false }, "A to push the switch turned off through B");
      again.close();
      await onA.trpc.team.remove.mutate({ userId: agentId });
      await heard({ removed: true }, "A to push the removal");
      // Only notices (no tracked events): nothing to replay, the page reads the team on reconnect.
      expect(team.events.every((n) => ["listening", "member"].includes(n.type))).toBe(true);
    } finally {
      team.close();
    }
  }, 120_000);
});
