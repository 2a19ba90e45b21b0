import {
  agentChannels,
  announcePresence,
  HEARTBEAT_MS,
  type Limits,
  MEMBER_REMOVALS_CHANNEL,
  type MemberRemoval,
  type Ports,
  recordHeartbeats,
  ringingNow,
  type Settings,
} from "@cac/core";
import { type AppRouter, phoneEventsRequest, serializeEvent, sseOptions } from "@cac/trpc";
import { type FastifyTRPCPluginOptions, fastifyRequestHandler } from "@trpc/server/adapters/fastify";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { createRequestContext } from "../context";
import type { Drain } from "../drain";
import { type LiveHub, sseBytes } from "./hub";

/** The headers of tRPC's SSE responses. */
const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
  connection: "keep-alive",
};

/**
 * What a removed member's open panel is told before its stream ends: the error shape tRPC sends for
 * a refused session (UNAUTHORIZED), so the panel stops ringing at once rather than at its reconnect.
 */
const REMOVED = sseBytes.error(
  serializeEvent({
    message: "You were removed from this account.",
    code: -32001,
    data: {
      code: "UNAUTHORIZED",
      httpStatus: 401,
      path: "phone.events",
      appCode: "UNAUTHENTICATED",
      retryAfterSeconds: null,
      fieldErrors: null,
    },
  }),
);

/** How soon a panel that opened is recorded as present: opens of that moment go in one write. */
export const OPEN_BEAT_MS = 100;

/** The agents whose phone panels are open on this instance, and how many panels each has. */
function openPanels() {
  const counts = new Map<string, number>();
  return {
    add: (userId: string) => counts.set(userId, (counts.get(userId) ?? 0) + 1),
    remove(userId: string) {
      const left = (counts.get(userId) ?? 1) - 1;
      if (left > 0) counts.set(userId, left);
      else counts.delete(userId);
    },
    agents: () => [...counts.keys()],
  };
}

function subscriptionRequest(req: FastifyRequest) {
  const query = req.query as Record<string, unknown>;
  // As URLSearchParams.get reads a repeated parameter: its first value.
  const param = (name: string) => {
    const value = Array.isArray(query[name]) ? (query[name] as unknown[])[0] : query[name];
    return typeof value === "string" ? value : undefined;
  };
  const header = req.headers["last-event-id"];
  return {
    input: param("input"),
    lastEventId:
      (typeof header === "string" ? header : undefined) ?? param("lastEventId") ?? param("Last-Event-Id"),
  };
}

/**
 * `GET /trpc/phone.events`, streamed by the server itself: thousands of open phone panels share
 * one subscription per channel and one serialization per event (live/hub.ts), where tRPC's own SSE
 * machinery would cost each one a set of web streams, timers and a reader of its own. It checks
 * what the procedure checks (phoneEventsRequest) and writes what the procedure would; whatever does
 * not open a stream (no session, a bad input, live events down) goes to tRPC, which answers it with
 * its own errors. The panels' heartbeats are one batch per HEARTBEAT_MS for the whole instance (and
 * one for the panels that opened in the last OPEN_BEAT_MS).
 */
export function registerPhoneEvents(
  app: FastifyInstance,
  deps: {
    ports: Ports;
    settings: Settings;
    limits: Limits;
    drain: Drain;
    hub: LiveHub;
    trpcOptions: FastifyTRPCPluginOptions<AppRouter>["trpcOptions"];
  },
) {
  const { ports, settings, limits, drain, hub, trpcOptions } = deps;
  const panels = openPanels();
  // A panel that opens is heard from at once (within OPEN_BEAT_MS), with the others opening then;
  // once that is written, their teams hear whether they are reachable now.
  const justOpened = new Map<string, Set<string>>();
  let openBeat: NodeJS.Timeout | null = null;
  const beatOpened = (accountId: string, userId: string) => {
    justOpened.set(accountId, (justOpened.get(accountId) ?? new Set()).add(userId));
    openBeat ??= setTimeout(() => {
      openBeat = null;
      const opened = [...justOpened].map(([account, users]) => [account, [...users]] as const);
      justOpened.clear();
      ports.presence
        .beat([...new Set(opened.flatMap(([, users]) => users))], ports.clock.now())
        .then(() => Promise.all(opened.map(([account, users]) => announcePresence(ports, account, users))))
        .catch((error) => ports.log.warn({ err: error }, "phone panel heartbeats failed"));
    }, OPEN_BEAT_MS);
  };
  // A member's last panel here closed: their team hears it at once. An opened panel is announced
  // once, after its open beat above, so the team hears of it once.
  const unwatch = ports.presence.watchStreams((member, holding) => {
    if (!holding) void announcePresence(ports, member.accountId, [member.userId]);
  });
  const heartbeat = setInterval(() => {
    recordHeartbeats(ports, panels.agents()).catch((error) =>
      ports.log.warn({ err: error }, "phone panel heartbeats failed"),
    );
  }, HEARTBEAT_MS);
  heartbeat.unref();
  drain.signal.addEventListener("abort", () => hub.endAll(), { once: true });

  // The open panels by member ("account user"): a removed member's end at once, on every instance.
  const byMember = new Map<string, Set<{ push(chunk: string | null): unknown }>>();
  const memberKey = (accountId: string, userId: string) => `${accountId} ${userId}`;
  const removals = ports.pubsub
    .subscribe(MEMBER_REMOVALS_CHANNEL, (event) => {
      const { accountId, userId } = event.message as MemberRemoval;
      const streams = byMember.get(memberKey(accountId, userId));
      if (!streams) return;
      byMember.delete(memberKey(accountId, userId));
      // Ending the body closes the response; the panel's reconnect then finds no session.
      for (const body of streams) {
        body.push(REMOVED);
        body.push(null);
      }
    })
    .catch((error: unknown) => {
      ports.log.warn(
        { err: error },
        "member removals not followed: removed members' panels end at reconnect",
      );
      return null;
    });

  app.get("/trpc/phone.events", { exposeHeadRoute: false }, async (req, reply) => {
    const ctx = createRequestContext(ports, settings, limits, req, reply, drain.signal);
    let opened: { userId: string; accountId: string; body: Awaited<ReturnType<LiveHub["open"]>> };
    try {
      const panel = await phoneEventsRequest(ctx, subscriptionRequest(req));
      const body = await hub.open({
        names: agentChannels(panel.accountId, panel.userId),
        cursor: panel.lastEventId,
        client: sseOptions.client,
        first: async (start, cursor) =>
          start.resumed[0] ? [] : ringingNow(ctx, panel.accountId, panel.userId, cursor),
      });
      opened = { userId: panel.userId, accountId: panel.accountId, body };
    } catch (error) {
      req.log.debug({ err: error }, "phone.events answered by tRPC");
      await fastifyRequestHandler({ ...trpcOptions, req, res: reply, path: "phone.events" });
      return reply;
    }
    const { userId, accountId, body } = opened;
    panels.add(userId);
    beatOpened(accountId, userId);
    const key = memberKey(accountId, userId);
    const mine = byMember.get(key) ?? new Set();
    mine.add(body);
    byMember.set(key, mine);
    // The member is reachable while this stream is open, and stops being so when it closes.
    const release = ports.presence.holdStream({ accountId, userId });
    body.once("close", () => {
      panels.remove(userId);
      release();
      const left = byMember.get(key);
      left?.delete(body);
      if (left?.size === 0) byMember.delete(key);
    });
    // Opened while the server began to drain: it ends at once, and the client goes elsewhere.
    if (drain.signal.aborted) body.push(null);
    return reply.headers(SSE_HEADERS).send(body);
  });
  return {
    /** Before the pubsub closes: the streams end and their channels are let go. */
    async close() {
      clearInterval(heartbeat);
      unwatch();
      if (openBeat) clearTimeout(openBeat);
      await (await removals)?.();
      await hub.close();
    },
  };
}
