import { createHash } from "node:crypto";
import { SESSION_COOKIE } from "@cac/core";
import { ipKey } from "@cac/core/domain";
import { subscriptionPaths } from "@cac/trpc";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { StreamSlots } from "./adapters/stream-slots";
import { clientIp } from "./client-ip";

/** What a refused client is told to wait: a slot frees as soon as one of its streams closes. */
const RETRY_AFTER_SECONDS = 5;

const refusals = {
  ip: "Too many live connections from your network. Close some tabs or windows, then try again.",
  session: "Too many live connections for this session. Close some tabs or windows, then try again.",
};

const hash = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 32);

/**
 * The session a stream belongs to: the portal's login (its cookie), or the visitor's call (the
 * capability token in the input). Keyed by a hash of the secret itself, so a client can only ever
 * fill its own session's slots, and nothing needs the database before the count.
 */
function sessionOf(req: FastifyRequest): string | null {
  const cookie = req.cookies[SESSION_COOKIE];
  if (cookie) return `session:${hash(cookie)}`;
  const input = (req.query as Record<string, unknown>).input;
  if (typeof input !== "string") return null;
  try {
    const token = (JSON.parse(input) as { json?: { token?: unknown } }).json?.token;
    return typeof token === "string" ? `call:${hash(token)}` : null;
  } catch {
    return null;
  }
}

/**
 * Every live stream (a GET of a tRPC subscription) takes a slot per client IP and per session
 * before anything else runs, and gives it back when its response closes. Past a limit it is
 * refused at once with 429 TOO_MANY_STREAMS, in tRPC's error shape, and Retry-After.
 */
export function registerStreamLimits(
  app: FastifyInstance,
  slots: StreamSlots,
  limits: { perIp: number; perSession: number },
) {
  app.addHook("onRequest", async (req, reply) => {
    if (req.method !== "GET" || !req.url.startsWith("/trpc/")) return;
    const path = req.url.slice("/trpc/".length).split("?")[0] ?? "";
    if (!subscriptionPaths.has(path)) return;
    const ip = `ip:${ipKey(clientIp(req))}`;
    const session = sessionOf(req);
    const keys = [{ key: ip, limit: limits.perIp }];
    if (session) keys.push({ key: session, limit: limits.perSession });
    const slot = await slots.acquire(keys);
    if ("full" in slot) {
      const message = slot.full === ip ? refusals.ip : refusals.session;
      req.log.info(
        { path, limit: slot.full === ip ? "ip" : "session" },
        "refused a live stream over its limit",
      );
      return reply
        .code(429)
        .header("Retry-After", String(RETRY_AFTER_SECONDS))
        .header("Cache-Control", "no-store")
        .send({
          error: {
            json: {
              message,
              code: TRPC_ERROR_CODES_BY_KEY.TOO_MANY_REQUESTS,
              data: {
                code: "TOO_MANY_REQUESTS",
                httpStatus: 429,
                path,
                appCode: "TOO_MANY_STREAMS",
                retryAfterSeconds: RETRY_AFTER_SECONDS,
                fieldErrors: null,
              },
            },
          },
        });
    }
    reply.raw.once("close", () => slot.release());
  });
}
