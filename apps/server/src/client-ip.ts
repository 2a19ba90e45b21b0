import { BlockList, isIPv4, isIPv6 } from "node:net";
import { normalizeIp } from "@cac/core/domain";
import type { FastifyRequest } from "fastify";

/**
 * Who may add to X-Forwarded-For: nobody (clients reach the server directly), the `hops` proxies
 * nearest the server, or the proxies at these addresses and networks.
 */
export type TrustProxy = false | { hops: number } | { proxies: string[] };

export const TRUST_PROXY_HELP =
  "set the number of proxies in front of the server (TRUST_PROXY=1 for one nginx or load balancer), or their addresses and networks (TRUST_PROXY=127.0.0.1,10.0.0.0/8)";

/** A list of proxy addresses and CIDR networks, or the reason one entry is not one. */
export function parseProxyList(text: string): { proxies: string[] } | { problem: string } {
  const proxies = text
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (proxies.length === 0) return { problem: `is empty; ${TRUST_PROXY_HELP}` };
  for (const entry of proxies) {
    const [address = "", prefix, extra] = entry.split("/");
    const max = isIPv4(address) ? 32 : isIPv6(address) ? 128 : 0;
    const bits = prefix === undefined ? max : Number(prefix);
    if (!max || extra !== undefined || !/^\d*$/.test(prefix ?? "") || !(bits >= 0 && bits <= max)) {
      return { problem: `"${entry}" is not an IP address or network (like 10.0.0.0/8); ${TRUST_PROXY_HELP}` };
    }
  }
  return { proxies };
}

/** The check Fastify runs on each address, from the socket inward through X-Forwarded-For. */
export function trustFunction(trust: TrustProxy): false | ((address: string, hop: number) => boolean) {
  if (trust === false) return false;
  if ("hops" in trust) {
    const { hops } = trust;
    // The socket's peer is hop 0: with one proxy, the right-most forwarded entry is the client.
    return (_address, hop) => hop < hops;
  }
  const list = new BlockList();
  for (const entry of trust.proxies) {
    const [address = "", prefix] = entry.split("/");
    const family = isIPv4(address) ? "ipv4" : "ipv6";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return (address) => {
    const ip = normalizeIp(address);
    return ip !== null && list.check(ip, isIPv4(ip) ? "ipv4" : "ipv6");
  };
}

/**
 * The visitor's address, normalized: the right-most address not added by a trusted proxy
 * (Fastify's `req.ips` under TRUST_PROXY). An entry that is not an address is passed over for the
 * trusted one before it, so made-up text cannot serve as a fresh identity for every request.
 */
export function clientIp(req: FastifyRequest): string {
  const chain = req.ips ?? [req.ip];
  for (let i = chain.length - 1; i >= 0; i--) {
    const ip = normalizeIp(chain[i] ?? "");
    if (ip) return ip;
  }
  return peerIp(req);
}

/** The socket's peer: the machine that opened the connection, whatever the headers say. */
export function peerIp(req: FastifyRequest): string {
  const address = req.socket.remoteAddress;
  return (address && normalizeIp(address)) || "unknown";
}

/** Whether the request came through a proxy (it names a forwarded client). */
export function isForwarded(req: FastifyRequest): boolean {
  return req.headers["x-forwarded-for"] !== undefined || req.headers.forwarded !== undefined;
}
