/**
 * Who on the team is reachable, kept live: the team (`team.members`) read once, then patched by the
 * server's presence notices (`team.presence`), one stream per tab shared by whatever shows it (the
 * phone panel, the Team page), for the active account (a switch of account opens another). Each time the stream (re)connects the team is read afresh, as the
 * notices are not replayed. While the stream is down the team is polled instead.
 */
import type { AppRouter } from "@cac/trpc";
import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TRPCClient } from "@trpc/client";
import { useEffect, useSyncExternalStore } from "react";
import { useMe } from "../components/MeContext";
import { type RouterOutputs, useTRPC, useTRPCClient } from "../trpc";

type Members = RouterOutputs["team"]["members"];
type PresenceEvent = RouterOutputs["team"]["presence"] extends AsyncIterable<infer E> ? E : never;

/** How often the team is read while the live stream is down. */
export const PRESENCE_FALLBACK_POLL_MS = 15_000;
/**
 * A notice carries only who and whether reachable; the rest (their switch) is read afterwards,
 * once for a burst of notices.
 */
const DETAILS_REFRESH_MS = 1_000;

type SharedStream = {
  retain(): () => void;
  subscribe(onChange: () => void): () => void;
  live(): boolean;
};

/** Per query client (one per page), the stream of each account shown. */
const shared = new WeakMap<QueryClient, Map<string, SharedStream>>();

/** Applies a notice to the team as read: a member's reachability, or a member gone. */
export function applyNotice(members: Members, event: Extract<PresenceEvent, { type: "member" }>): Members {
  if (event.removed) return members.filter((member) => member.userId !== event.userId);
  return members.map((member) =>
    member.userId === event.userId
      ? { ...member, reachable: event.reachable, available: member.available || event.reachable }
      : member,
  );
}

function sharedStream(
  client: TRPCClient<AppRouter>,
  queryClient: QueryClient,
  queryKey: readonly unknown[],
): SharedStream {
  let users = 0;
  let live = false;
  let stop: (() => void) | null = null;
  let details: ReturnType<typeof setTimeout> | undefined;
  const watchers = new Set<() => void>();
  const setLive = (next: boolean) => {
    if (live === next) return;
    live = next;
    for (const watcher of watchers) watcher();
  };
  const reread = () => queryClient.invalidateQueries({ queryKey });
  const open = () => {
    const subscription = client.team.presence.subscribe(undefined, {
      onData: (event) => {
        if (event.type === "listening") {
          setLive(true);
          void reread();
          return;
        }
        const members = queryClient.getQueryData<Members>(queryKey);
        if (members && !event.removed && !members.some((member) => member.userId === event.userId)) {
          // Someone who just joined: read the team.
          void reread();
          return;
        }
        if (members) queryClient.setQueryData<Members>(queryKey, applyNotice(members, event));
        clearTimeout(details);
        details = setTimeout(() => void reread(), DETAILS_REFRESH_MS);
      },
      onConnectionStateChange: (change) => {
        if (change.state !== "pending") setLive(false);
      },
      onError: () => setLive(false),
    });
    return () => {
      subscription.unsubscribe();
      clearTimeout(details);
      setLive(false);
    };
  };
  return {
    retain() {
      users += 1;
      stop ??= open();
      return () => {
        users -= 1;
        if (users > 0) return;
        stop?.();
        stop = null;
      };
    },
    subscribe(onChange) {
      watchers.add(onChange);
      return () => watchers.delete(onChange);
    },
    live: () => live,
  };
}

/** The team with who is reachable now, and whether that is live (else polled). */
export function useTeamPresence() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const { account } = useMe();
  const streams = shared.get(queryClient) ?? new Map<string, SharedStream>();
  shared.set(queryClient, streams);
  let stream = streams.get(account.id);
  if (!stream) {
    stream = sharedStream(client, queryClient, trpc.team.members.queryKey());
    streams.set(account.id, stream);
  }
  const current = stream;
  useEffect(() => current.retain(), [current]);
  const live = useSyncExternalStore(current.subscribe, current.live);
  const members = useQuery({
    ...trpc.team.members.queryOptions(),
    refetchInterval: live ? false : PRESENCE_FALLBACK_POLL_MS,
  });
  return { members, live };
}
