import { logIp } from "@cac/trpc/domain/ip";
import type { FastifyRequest } from "fastify";
import { clientIp } from "./client-ip";

/**
 * Logs go to stdout, beyond the retention job's reach, so they carry a visitor's network, never
 * the address: IPv4 /24, IPv6 /48 (privacy policy: IPs are kept at most 12 months). Pino applies
 * these to the named keys of every log line, the services' `{ ip }` fields included.
 */
export const logSerializers = {
  req(req: FastifyRequest) {
    return {
      method: req.method,
      url: req.url,
      host: req.host,
      remoteAddress: logIp(clientIp(req)),
    };
  },
  ip: logIp,
  visitorIp: logIp,
};
