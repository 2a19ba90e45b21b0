import { alwaysOpen, validButton } from "../fixtures/buttons";
import { createTestClient, tokenFromEmail, uniqueEmail, validSignup } from "../harness";
import type { Cluster } from "./cluster";

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
