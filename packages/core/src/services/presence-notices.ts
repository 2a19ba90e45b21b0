import { EventEmitter, on } from "node:events";
import type { Ports } from "../ports";
import { reachableMembers } from "./calls/presence";

/**
 * Who is reachable, pushed to the portal (the Team page, the phone panels) as it changes. Notices
 * are transient (PubSub.notify): not kept in the resumable event logs of the phone channels, so a
 * reconnect storm's notices never evict the rings a reconnecting panel replays. A reader that
 * (re)connects reads the team afresh instead of replaying.
 */

/** The notices channel of one account. */
export const presenceChannel = (accountId: string) => `presence:${accountId}`;

/** One member's reachability now; `removed` when they no longer belong to the account. */
export type PresenceNotice = { userId: string; reachable: boolean; removed?: true };

/**
 * What a presence stream yields: first `listening` (notices flow from here on: read the team now),
 * then each notice.
 */
export type PresenceEvent = { type: "listening" } | ({ type: "member" } & PresenceNotice);

type NoticeDeps = Pick<Ports, "db" | "clock" | "presence" | "pubsub" | "log">;

/**
 * Tells the account's presence readers whether each of these members is reachable now (the same
 * answer routing reads). Sent whenever it may have changed; a notice that repeats the state is
 * harmless. Never rejects: a lost notice is caught up by the readers' fallback refresh.
 */
export async function announcePresence(deps: NoticeDeps, accountId: string, userIds: readonly string[]) {
  if (userIds.length === 0) return;
  try {
    const reachable = new Set(
      (await reachableMembers(deps, accountId, deps.clock.now())).map((member) => member.id),
    );
    await Promise.all(
      userIds.map((userId) => {
        const notice: PresenceNotice = { userId, reachable: reachable.has(userId) };
        return deps.pubsub.notify(presenceChannel(accountId), notice);
      }),
    );
  } catch (error) {
    deps.log.warn({ err: error, accountId }, "presence notice not sent");
  }
}

/** Tells the account's presence readers that a member left (or was removed). Never rejects. */
export async function announceRemoval(
  deps: Pick<Ports, "pubsub" | "log">,
  accountId: string,
  userId: string,
) {
  const notice: PresenceNotice = { userId, reachable: false, removed: true };
  await deps.pubsub
    .notify(presenceChannel(accountId), notice)
    .catch((error: unknown) => deps.log.warn({ err: error, accountId }, "presence notice not sent"));
}

/**
 * The account's presence notices, from the moment the first `listening` is yielded until `signal`
 * aborts (or the reader stops).
 */
export async function* presenceNotices(
  deps: Pick<Ports, "pubsub">,
  accountId: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<PresenceEvent> {
  const arrivals = new EventEmitter();
  const stopped = new AbortController();
  const onAbort = () => stopped.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  // Iterated before listening, so nothing heard in between is dropped (`on` queues what it hears).
  const queued = on(arrivals, "notice", { signal: stopped.signal });
  const stop = await deps.pubsub.listen(presenceChannel(accountId), (message) =>
    arrivals.emit("notice", message),
  );
  try {
    yield { type: "listening" };
    for await (const [message] of queued) {
      yield { type: "member", ...(message as PresenceNotice) };
    }
  } catch (error) {
    // Ended by the reader's abort: a normal end.
    if (!stopped.signal.aborted) throw error;
  } finally {
    signal?.removeEventListener("abort", onAbort);
    stopped.abort();
    await stop();
  }
}
