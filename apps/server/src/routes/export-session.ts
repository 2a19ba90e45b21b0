import type { Limits, Ports, Settings } from "@cac/core";
import { type SessionAuth, validateSession } from "@cac/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { createRequestContext } from "../context";

export type ExportFail = (
  status: number,
  message: string,
  fieldErrors?: Record<string, string[]>,
) => FastifyReply;

/** A download's refusal: a JSON reason the portal shows, never cached. */
export function exportFailure(reply: FastifyReply): ExportFail {
  return (status, message, fieldErrors) =>
    reply
      .code(status)
      .header("Cache-Control", "no-store")
      .send({ error: message, ...(fieldErrors ? { fieldErrors } : {}) });
}

/**
 * The session behind a portal download (`/exports/…`), authenticated by the session cookie:
 * SameSite=Lax keeps it off cross-site subrequests, and a browser's Origin other than the
 * portal's is refused (403). Null once the refusal is sent (403, or 401 without a session).
 */
export async function exportSession(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: { ports: Ports; settings: Settings; limits: Limits },
  refuse: { fail: ExportFail; foreignOrigin: string },
): Promise<SessionAuth | null> {
  const origin = req.headers.origin;
  if (origin && origin !== deps.settings.publicUrl.origin) {
    refuse.fail(403, refuse.foreignOrigin);
    return null;
  }
  const ctx = createRequestContext(deps.ports, deps.settings, deps.limits, req, reply);
  const auth = await validateSession(ctx);
  if (!auth) refuse.fail(401, "Please log in to continue.");
  return auth;
}
