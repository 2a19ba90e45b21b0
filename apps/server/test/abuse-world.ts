import { abuseFlags, accounts, callSessions, securityEvents } from "@cac/db";
import { memberByEmail, setMembersPresent } from "@cac/db/testing";
import { eq } from "drizzle-orm";
import { readyToAnswer } from "./call-clients";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import { type Harness, signupVerified, type TestClient } from "./harness";
import type { SseStream } from "./sse-reader";

export const SHOP = "https://shop.test";

/** A signed-up owner with an open button on shop.test, answering in the portal (an available agent). */
export type Business = {
  client: TestClient;
  email: string;
  accountId: string;
  publicId: string;
  buttonId: string;
};

const openPanels: SseStream[] = [];

/** Closes the phone panels the businesses opened (a suite's afterAll, before the harness closes). */
export function closeBusinessPanels() {
  for (const panel of openPanels.splice(0)) panel.drop();
}

export async function openBusiness(h: Harness, email?: string): Promise<Business> {
  const { client, email: address } = await signupVerified(h, email ? { email } : {});
  const button = await client.trpc.buttons.create.mutate(validButton({ hours: alwaysOpen }));
  const user = await memberByEmail(h.db.db, address);
  // The owner's phone panel is open (a live stream): calls ring only a reachable member.
  openPanels.push(await readyToAnswer(h.url, client));
  // On the Pro plan: each call these suites leave ringing holds its minutes of the quota (10 on
  // Free, whose 60 minutes would refuse the seventh), and Pro's 3,000 hold fifty at once.
  await h.db.db.update(accounts).set({ plan: "pro" }).where(eq(accounts.id, user!.accountId));
  return {
    client,
    email: address,
    accountId: user!.accountId,
    publicId: button.publicId,
    buttonId: button.id,
  };
}

/** A visitor's click on the business's button from `ip`, with the business's agent present. */
export async function startCallFrom(h: Harness, business: Business, ip: string) {
  // The open phone panel's heartbeat, at the harness clock's time (which tests move).
  await setMembersPresent(h.db.db, { accountId: business.accountId }, h.clock.now());
  return h.client({ origin: SHOP, ip }).trpc.calls.start.mutate({ button: business.publicId });
}

/** Earlier calls from `ip`, as the log would hold them (all started within the last minutes). */
export async function seedCalls(
  h: Harness,
  business: Business,
  ip: string,
  count: number,
  options: { talkedSeconds?: number } = {},
) {
  const now = h.clock.now();
  const rows = Array.from({ length: count }, (_, i) => {
    const startedAt = new Date(now.getTime() - (i + 1) * 60_000);
    const talked = options.talkedSeconds;
    return {
      accountId: business.accountId,
      buttonId: business.buttonId,
      transport: "webrtc" as const,
      status: talked === undefined ? ("no-answer" as const) : ("completed" as const),
      visitorIp: ip,
      startedAt,
      answeredAt: talked === undefined ? null : new Date(startedAt.getTime() + 3_000),
      endedAt: new Date(startedAt.getTime() + 3_000 + (talked ?? 0) * 1000),
      durationSeconds: talked ?? 0,
    };
  });
  if (rows.length) await h.db.db.insert(callSessions).values(rows);
}

export async function callsFrom(h: Harness, ip: string) {
  return h.db.db.select().from(callSessions).where(eq(callSessions.visitorIp, ip));
}

export async function flagsOf(h: Harness, ip: string) {
  return h.db.db.select().from(abuseFlags).where(eq(abuseFlags.ip, ip));
}

export async function eventKindsOf(h: Harness, ip: string) {
  const rows = await h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, ip));
  return rows.sort((a, b) => +a.createdAt - +b.createdAt).map((e) => e.kind);
}
