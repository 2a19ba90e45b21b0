import { AppError, presenceNotices } from "@cac/core";
import { authedProcedure } from "../../trpc";

/**
 * Who is reachable, as it changes (SSE): `listening` first (the client reads the team then), then
 * one notice per change, untracked: nothing is replayed on a reconnect, the client reads the team
 * afresh. A member removed from the account stops hearing at once (their session is gone too).
 */
export const presenceProcedure = authedProcedure.subscription(async function* ({ ctx, signal }) {
  for await (const event of presenceNotices(ctx, ctx.account.id, signal)) {
    if (event.type === "member" && event.removed && event.userId === ctx.user.id) {
      throw new AppError("UNAUTHENTICATED", "You were removed from this account.");
    }
    yield event;
  }
});
