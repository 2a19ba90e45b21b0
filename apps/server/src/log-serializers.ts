import { logIp } from "@cac/core/domain";
import type { FastifyRequest } from "fastify";
import { clientIp } from "./client-ip";

/**
 * A request's URL without the values of its query: they can be secrets (a link's `?token=`, which
 * the portal's fallback serves) or personal data (a tRPC query's `?input=`). Names stay, for debugging.
 */
export function logUrl(url: string): string {
  const query = url.indexOf("?");
  if (query < 0) return url;
  const names = [...new URLSearchParams(url.slice(query + 1)).keys()];
  return `${url.slice(0, query)}?${names.map((name) => `${encodeURIComponent(name)}=…`).join("&")}`;
}

/**
 * Logs go to stdout, beyond the retention job's reach, so they carry a visitor's network, never
 * the address: IPv4 /24, IPv6 /48 (privacy policy: IPs are kept at most 12 months). Pino applies
 * these to the named keys of every log line, the services' `{ ip }` fields included.
 */
export const logSerializers = {
  req(req: FastifyRequest) {
    return {
      method: req.method,
      url: logUrl(req.url),
      host: req.host,
      remoteAddress: logIp(clientIp(req)),
    };
  },
  ip: logIp,
  visitorIp: logIp,
};
