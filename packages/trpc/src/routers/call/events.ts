import { channels, listen, type VisitorEvent } from "../../services/calls/channels";
import { touchCall } from "../../services/calls/lifecycle";
import { isOpen, visitorCall } from "../../services/calls/signaling";
import { widgetProcedure } from "../../trpc";
import { visitorCallInput } from "./call.schema";

const HEARTBEAT_MS = 10_000;

/** The visitor's live view of one call (SSE). Its heartbeat is what keeps the call alive. */
export const callEventsProcedure = widgetProcedure.input(visitorCallInput).subscription(async function* ({
  ctx,
  input,
  signal,
}) {
  const call = await visitorCall(ctx, ctx.button.id, input.sessionId, input.token);
  const stream = listen<VisitorEvent>(ctx.pubsub, [channels.visitor(call.id)], signal);
  // Subscribed first, then read the state, so nothing between the two is missed.
  const current = await visitorCall(ctx, ctx.button.id, input.sessionId, input.token);
  if (!isOpen(current.status)) {
    yield {
      type: "ended",
      status: current.status,
      reason: current.failureReason,
      durationSeconds: current.durationSeconds,
    } satisfies VisitorEvent;
    await stream.return(undefined);
    return;
  }
  yield (
    current.status === "in-progress" ? { type: "answered" } : { type: "ringing" }
  ) satisfies VisitorEvent;
  const heartbeat = setInterval(() => {
    touchCall(ctx, call.id).catch((error) => ctx.log.warn({ err: error }, "call heartbeat failed"));
  }, HEARTBEAT_MS);
  try {
    await touchCall(ctx, call.id);
    for await (const event of stream) {
      yield event;
      if (event.type === "ended") return;
    }
  } finally {
    clearInterval(heartbeat);
  }
});
