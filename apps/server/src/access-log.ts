import { type FastifyReply, type FastifyRequest, LogController } from "fastify";

/**
 * Paths every visitor's page view (or every load balancer probe) asks for: a line each at `info`
 * would be most of the log, and much of their cost. They are logged at `debug`, unless they fail.
 */
function isHotPath(url: string): boolean {
  return url.startsWith("/widget/config/") || url === "/healthz" || url === "/readyz";
}

/**
 * Fastify's request logging with one line per request, when it is answered (Fastify's own writes
 * a line when a request comes and another when it is answered). Failures keep their own lines
 * (errors handled by Fastify, streams cut off), at the same levels as before.
 */
export class AccessLog extends LogController {
  override incomingRequest() {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else if (reply.statusCode < 500 && isHotPath(request.url)) reply.log.debug(line, "request completed");
    else reply.log.info(line, "request completed");
  }
}
