import { buttons, callSessions } from "@cac/db";
import { and, eq } from "drizzle-orm";
import { type AgentEvent, channels, listen } from "../../services/calls/channels";
import { touchAgent } from "../../services/calls/signaling";
import { authedProcedure } from "../../trpc";

const HEARTBEAT_MS = 10_000;

/**
 * The portal phone panel's live feed (SSE): rings for the account, and signals for calls this
 * agent answered. While it is open the agent counts as present.
 */
export const phoneEventsProcedure = authedProcedure.subscription(async function* ({ ctx, signal }) {
  const stream = listen<AgentEvent>(
    ctx.pubsub,
    [channels.accountPhone(ctx.account.id), channels.userPhone(ctx.user.id)],
    signal,
  );
  // Calls already ringing when the panel opens ring here too.
  const ringing = await ctx.db
    .select({
      sessionId: callSessions.id,
      buttonId: callSessions.buttonId,
      buttonName: buttons.name,
      pageUrl: callSessions.pageUrl,
      startedAt: callSessions.startedAt,
    })
    .from(callSessions)
    .leftJoin(buttons, eq(buttons.id, callSessions.buttonId))
    .where(
      and(
        eq(callSessions.accountId, ctx.account.id),
        eq(callSessions.status, "ringing"),
        eq(callSessions.transport, "webrtc"),
      ),
    );
  for (const call of ringing) {
    yield {
      type: "ring",
      call: {
        ...call,
        buttonName: call.buttonName ?? "Deleted button",
        startedAt: call.startedAt.toISOString(),
      },
    } satisfies AgentEvent;
  }
  await touchAgent(ctx, ctx.user.id);
  const heartbeat = setInterval(() => {
    touchAgent(ctx, ctx.user.id).catch((error) => ctx.log.warn({ err: error }, "agent heartbeat failed"));
  }, HEARTBEAT_MS);
  try {
    for await (const event of stream) yield event;
  } finally {
    clearInterval(heartbeat);
  }
});
