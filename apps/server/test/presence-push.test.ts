import { channels, FIRST_EVENT_ID } from "@cac/core";
import { memberByEmail } from "@cac/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "./cluster/event-stream";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  loginAgent,
  signupVerified,
  startHarness,
  type TestClient,
} from "./harness";
import { readSse, type SseStream, subscriptionUrl } from "./sse-reader";

/**
 * Presence pushed to the portal (team.presence): a member's reachability reaches the rest of the
 * team's open streams as it changes (their phone panel opened or closed, the switch, removal),
 * as transient notices that never enter the phone channels' event logs.
 */

type Notice = { type: "listening" } | { type: "member"; userId: string; reachable: boolean; removed?: true };

/** The notices a team.presence stream delivered so far (untracked: no ids). */
const notices = (stream: SseStream) =>
  stream.events.filter((e) => e.event === "message").map((e) => (e.data as { json: Notice }).json);

/** Waits for a notice about `userId` saying `reachable`, after the `after` notices already read. */
async function noticeOf(stream: SseStream, userId: string, reachable: boolean, after = 0) {
  await until(
    () =>
      notices(stream)
        .slice(after)
        .some((n) => n.type === "member" && n.userId === userId && n.reachable === reachable),
    `a notice that ${userId} is ${reachable ? "reachable" : "not reachable"}`,
    10_000,
  );
  return notices(stream).length;
}

describe("team.presence (who is reachable, pushed)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ build: { jobs: false }, limits: { "signup.ip": LIFTED } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const open = async (client: TestClient, path: string) => {
    const stream = await readSse(subscriptionUrl(h.url, path), { fetch: client.fetch });
    expect(stream.status).toBe(200);
    return stream;
  };

  it("tells the owner's stream when an agent's panel opens and closes, and when they switch off", async () => {
    const owner = await signupVerified(h);
    const { accountId } = await memberByEmail(h.db.db, owner.email);
    const agent = await loginAgent(h, accountId);
    const agentId = (await memberByEmail(h.db.db, agent.email)).id;

    const team = await open(owner.client, "team.presence");
    await until(() => notices(team).length > 0, "the stream to listen");
    expect(notices(team)[0]).toEqual({ type: "listening" });

    await agent.client.trpc.phone.setAvailable.mutate({ available: true });
    let read = await noticeOf(team, agentId, false);
    const panel = await open(agent.client, "phone.events");
    read = await noticeOf(team, agentId, true, read);
    // What the Team page reads on (re)connect says the same.
    const members = await owner.client.trpc.team.members.query();
    expect(members.find((m) => m.userId === agentId)).toMatchObject({ reachable: true });

    panel.drop();
    read = await noticeOf(team, agentId, false, read);

    const again = await open(agent.client, "phone.events");
    read = await noticeOf(team, agentId, true, read);
    await agent.client.trpc.phone.setAvailable.mutate({ available: false });
    read = await noticeOf(team, agentId, false, read);
    again.drop();

    // Only the member and whether they are reachable: never more about them.
    for (const notice of notices(team)) {
      if (notice.type === "member")
        expect(Object.keys(notice).sort()).toEqual(["reachable", "type", "userId"]);
    }
    // Notices are no events of the phone channels' logs: nothing there for a panel to replay.
    expect(await h.ports.pubsub.latest(channels.accountPhone(accountId))).toBe(FIRST_EVENT_ID);
    team.drop();
  });

  it("tells the team once when a panel opens and once when it closes", async () => {
    const owner = await signupVerified(h);
    const { accountId, id: ownerId } = await memberByEmail(h.db.db, owner.email);
    const agent = await loginAgent(h, accountId);
    const agentId = (await memberByEmail(h.db.db, agent.email)).id;
    await agent.client.trpc.phone.setAvailable.mutate({ available: true });
    const team = await open(owner.client, "team.presence");
    await until(() => notices(team).length > 0, "the stream to listen");
    const agentNotices = (after: number) =>
      notices(team)
        .slice(after)
        .filter((n) => n.type === "member" && n.userId === agentId);
    // The owner's switch is a marker: notices arrive in order, so one about the agent sent with or
    // before it has arrived once the marker has.
    let marks = 0;
    const marker = async (after: number) => {
      marks += 1;
      await owner.client.trpc.phone.setAvailable.mutate({ available: marks % 2 === 1 });
      await until(
        () =>
          notices(team)
            .slice(after)
            .some((n) => n.type === "member" && n.userId === ownerId),
        "the owner's own notice",
        10_000,
      );
    };

    const before = notices(team).length;
    const panel = await open(agent.client, "phone.events");
    await noticeOf(team, agentId, true, before);
    await marker(before);
    expect(agentNotices(before)).toEqual([{ type: "member", userId: agentId, reachable: true }]);

    const beforeClose = notices(team).length;
    panel.drop();
    await noticeOf(team, agentId, false, beforeClose);
    await marker(beforeClose);
    expect(agentNotices(beforeClose)).toEqual([{ type: "member", userId: agentId, reachable: false }]);
    team.drop();
  });

  it("tells the team a removed member is gone, and ends the removed member's own stream", async () => {
    const owner = await signupVerified(h);
    const { accountId } = await memberByEmail(h.db.db, owner.email);
    const agent = await loginAgent(h, accountId);
    const agentId = (await memberByEmail(h.db.db, agent.email)).id;
    const ownerStream = await open(owner.client, "team.presence");
    const agentStream = await open(agent.client, "team.presence");
    await until(() => notices(agentStream).length > 0, "the agent's stream to listen");

    await owner.client.trpc.team.remove.mutate({ userId: agentId });
    await until(
      () => notices(ownerStream).some((n) => n.type === "member" && n.userId === agentId && n.removed),
      "the owner's stream to hear of the removal",
    );
    await agentStream.ended;
    const refusal = agentStream.events.find((e) => e.event === "serialized-error");
    expect(JSON.stringify(refusal?.data)).toContain("UNAUTHORIZED");
    ownerStream.drop();
  });

  it("keeps each account's notices to its own members", async () => {
    const a = await signupVerified(h);
    const b = await signupVerified(h);
    const bId = (await memberByEmail(h.db.db, b.email)).id;
    const aStream = await open(a.client, "team.presence");
    const bStream = await open(b.client, "team.presence");
    await until(() => notices(aStream).length > 0 && notices(bStream).length > 0, "both streams to listen");
    await b.client.trpc.phone.setAvailable.mutate({ available: true });
    const panel = await open(b.client, "phone.events");
    await noticeOf(bStream, bId, true);
    expect(notices(aStream).filter((n) => n.type === "member")).toEqual([]);
    panel.drop();
    aStream.drop();
    bStream.drop();
  });
});
