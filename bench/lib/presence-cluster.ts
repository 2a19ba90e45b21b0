// presence-latency --cluster: two real server processes (PostgreSQL, Redis; the multi-process test
// harness), the agent's phone panel and switch on instance A, a teammate's presence stream (what
// their phone panel and Team page read) on instance B. Measures from "agent goes offline" on A to
// B's stream hearing it.
import { loadavg } from "node:os";
import { startCluster } from "../../apps/server/test/cluster/cluster";
import { clusterOwner, emailTo, sameBrowserOn } from "../../apps/server/test/cluster/owner";
import { createTestClient } from "../../apps/server/test/harness";
import { openPresenceStream, summary, waitFor } from "./presence-stream";

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(" ");
const cookieOf = (client: { jar: Map<string, string> }) =>
  [...client.jar].map(([name, value]) => `${name}=${value}`).join("; ");

export async function clusterPresenceLatency(trials: number) {
  const loadBefore = load();
  const cluster = await startCluster({ instances: 2 });
  try {
    const [a, b] = cluster.instances;
    if (!a || !b) throw new Error("two instances expected");
    const created = await clusterOwner(cluster);
    const owner = sameBrowserOn(cluster, a, created.client);
    const email = `bench-teammate-${Date.now()}@clickandcall.test`;
    await owner.trpc.team.invite.mutate({ email, role: "agent" });
    const mail = await emailTo(cluster, email, "/invitation#token=");
    const token = mail.text.match(/\/invitation#token=([A-Za-z0-9_-]+)/)?.[1] ?? "";
    const joined = createTestClient(cluster.proxyUrl, cluster.url);
    await joined.trpc.team.acceptWithNewLogin.mutate({
      token,
      name: "Bench Teammate",
      password: "correct-battery-staple-43",
      ageConfirmed: true,
    });
    const teammate = sameBrowserOn(cluster, b, joined);
    const agentId = (await teammate.trpc.team.members.query()).find((m) => m.email === created.email)?.userId;
    const stream = await openPresenceStream(b.url, { origin: cluster.url, cookie: cookieOf(teammate) });
    await waitFor(stream.listening, "the teammate's stream on B to listen");

    /** The agent's phone panel on A, held until aborted (a portal tab). */
    const openPanel = async () => {
      const abort = new AbortController();
      const res = await fetch(`${a.url}/trpc/phone.events`, {
        headers: { origin: cluster.url, cookie: cookieOf(owner), accept: "text/event-stream" },
        signal: abort.signal,
      });
      if (!res.ok || !res.body) throw new Error(`phone.events answered ${res.status}`);
      const reader = res.body.getReader();
      void (async () => {
        try {
          for (;;) if ((await reader.read()).done) return;
        } catch {
          // Aborted: the tab closed.
        }
      })();
      return () => abort.abort();
    };

    const streamMs: number[] = [];
    for (let i = 0; i < trials; i++) {
      const how = i % 2 === 0 ? "panel closed" : "set unavailable";
      const since = performance.now();
      await owner.trpc.phone.setAvailable.mutate({ available: true });
      const close = await openPanel();
      await waitFor(
        () => stream.heardAt(since, (n) => n.userId === agentId && n.reachable === true) !== null,
        "B to hear the agent reachable",
      );
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 1000));
      const offline = performance.now();
      if (how === "panel closed") close();
      else await owner.trpc.phone.setAvailable.mutate({ available: false });
      await waitFor(
        () => stream.heardAt(offline, (n) => n.userId === agentId && n.reachable === false) !== null,
        "B to hear the agent went offline",
      );
      const at = stream.heardAt(offline, (n) => n.userId === agentId && n.reachable === false) ?? offline;
      if (how !== "panel closed") close();
      streamMs.push(at - offline);
      console.log(`trial ${i + 1} (${how}): teammate's stream on B ${(at - offline).toFixed(0)} ms`);
      // Let the closed panel's notices settle before the next trial.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    console.log(
      `\npresence latency over ${trials} trials, two server processes (agent on A goes offline -> ...)`,
    );
    console.log(
      `  teammate's presence stream on B hears it (their phone panel, Team page): ${summary(streamMs)}`,
    );
    console.log(`  load average before: ${loadBefore}; after: ${load()}`);
    stream.close();
  } finally {
    await cluster.close();
  }
}
