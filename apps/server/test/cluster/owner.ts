import { emailQueue } from "@cac/db";
import { count, inArray } from "drizzle-orm";
import type { BuiltServer } from "../built-server-process";
import { readyToAnswer } from "../call-clients";
import { alwaysOpen, validButton } from "../fixtures/buttons";
import { createTestClient, type TestClient, tokenFromEmail, uniqueEmail, validSignup } from "../harness";
import type { Cluster } from "./cluster";
import { until } from "./event-stream";

/** Waits for the instances' email queue to deliver a message to `to` that contains `marker`. */
export async function emailTo(cluster: Cluster, to: string, marker: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = (await cluster.emailsTo(to)).find((m) => m.text.includes(marker));
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no email to ${to} with ${marker} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A business set up through nginx as in the portal: an owner who signs up and follows the
 * emailed link (logged in by it), and a button open all week that rings the portal.
 */
export async function clusterOwner(cluster: Cluster) {
  const client = createTestClient(cluster.proxyUrl, cluster.url);
  const email = uniqueEmail("cluster");
  await client.trpc.auth.signup.mutate({ ...validSignup, email });
  const mail = await emailTo(cluster, email, "/verify-email?token=");
  await client.trpc.auth.verifyEmail.mutate({ token: tokenFromEmail(mail.text, "/verify-email") });
  const button = await client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
  const cookie = [...client.jar].map(([name, value]) => `${name}=${value}`).join("; ");
  return { client, email, cookie, button };
}

/**
 * A client of one instance, straight to it (as the load balancer might send it there, and never
 * elsewhere): the portal's origin unless told otherwise, and `ip` as the address nginx would add.
 * Shaped as an in-process harness's, so shared test steps take either.
 */
export function instanceSide(cluster: Cluster, instance: BuiltServer) {
  return {
    url: instance.url,
    client: (options: { origin?: string; ip?: string } = {}) =>
      createTestClient(instance.url, options.origin ?? cluster.url, options.ip),
  };
}

/** The same browser (its session cookies) with its requests sent to `instance`. */
export function sameBrowserOn(cluster: Cluster, instance: BuiltServer, browser: TestClient): TestClient {
  const client = instanceSide(cluster, instance).client();
  for (const [name, value] of browser.jar) client.jar.set(name, value);
  return client;
}

/**
 * A new owner with an always-open button, reachable (set available, a phone panel's stream held on
 * `instance`), whose portal speaks to `instance`.
 */
export async function availableOwnerOn(cluster: Cluster, instance: BuiltServer) {
  const created = await clusterOwner(cluster);
  const owner = sameBrowserOn(cluster, instance, created.client);
  const panel = await readyToAnswer(instance.url, owner);
  return { ...created, owner, panel };
}

/** Which pubsub the instance runs, as the portal's modes line says it ("Redis" for a cluster). */
export async function pubsubMode(cluster: Cluster, instance: BuiltServer): Promise<string | undefined> {
  const info = await instanceSide(cluster, instance).client().trpc.system.info.query();
  return info.modes.pubsub;
}

/** Waits until the instances' email queue holds nothing due or being sent (all delivered or given up). */
export async function queueDelivered(cluster: Cluster, timeoutMs = 30_000) {
  await until(
    async () => {
      const [row] = await cluster.db
        .select({ n: count() })
        .from(emailQueue)
        .where(inArray(emailQueue.status, ["queued", "sending"]));
      return row?.n === 0;
    },
    "the email queue to be delivered",
    timeoutMs,
  );
}
