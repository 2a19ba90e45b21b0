import type { Context, Limits, Ports, Settings } from "@cac/core";
import type { FastifyReply, FastifyRequest } from "fastify";
import { clientIp, isForwarded, peerIp } from "./client-ip";

/** For routes that hold no live stream, which the server's shutdown need not end. */
const neverClosing = new AbortController().signal;

/** Builds the per-request tRPC context from the shared ports and the Fastify exchange. */
export function createRequestContext(
  ports: Ports,
  settings: Settings,
  limits: Limits,
  req: FastifyRequest,
  reply: FastifyReply,
  serverClosing: AbortSignal = neverClosing,
): Context {
  return {
    ...ports,
    log: req.log,
    settings,
    limits,
    http: {
      method: req.method,
      ip: clientIp(req),
      peerIp: peerIp(req),
      forwarded: isForwarded(req),
      origin: req.headers.origin,
      contentType: req.headers["content-type"],
      userAgent: req.headers["user-agent"],
      referer: req.headers.referer,
      getCookie: (name) => req.cookies[name],
      setCookie: (name, value, options) => {
        reply.setCookie(name, value, {
          httpOnly: options.httpOnly,
          secure: options.secure,
          sameSite: options.sameSite,
          path: options.path,
          maxAge: options.maxAgeSeconds,
        });
      },
      clearCookie: (name, options) => {
        reply.clearCookie(name, {
          httpOnly: options.httpOnly,
          secure: options.secure,
          sameSite: options.sameSite,
          path: options.path,
        });
      },
      serverClosing,
    },
  };
}
