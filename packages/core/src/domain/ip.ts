import { z } from "zod";
import { text } from "./validation";

/**
 * This module runs in the portal too, so it is browser-safe (no node:net). The two checks below
 * accept exactly what node:net's isIPv4 and isIPv6 accept (test/ip.test.ts compares them).
 */
const IPV4_PART = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])";
const IPV4 = new RegExp(`^${IPV4_PART}(?:\\.${IPV4_PART}){3}$`);
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const ZONE = /^[0-9a-zA-Z.:-]+$/;

export function isIPv4(text: string): boolean {
  return IPV4.test(text);
}

/**
 * RFC 4291's text forms: eight groups, or fewer around one `::`, the last 32 bits possibly
 * written as IPv4; and, as node:net allows, a zone id after `%` (fe80::1%eth0).
 */
export function isIPv6(text: string): boolean {
  const zoneAt = text.indexOf("%");
  const address = zoneAt === -1 ? text : text.slice(0, zoneAt);
  if (zoneAt !== -1 && !ZONE.test(text.slice(zoneAt + 1))) return false;
  const halves = address.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  // An IPv4 address may stand for the last two groups, at the very end only.
  const last = address.endsWith("::") ? undefined : groups.at(-1);
  const v4 = last !== undefined && IPV4.test(last);
  const hex = v4 ? groups.slice(0, -1) : groups;
  if (!hex.every((group) => IPV6_GROUP.test(group))) return false;
  const width = hex.length + (v4 ? 2 : 0);
  return halves.length === 2 ? width <= 7 : width === 8;
}

/**
 * One spelling per address, so a block typed by hand matches the address a request came from:
 * IPv4 as is, an IPv4-mapped IPv6 address as its IPv4, other IPv6 compressed and lowercased.
 * Null when the text is not an IP address.
 */
export function normalizeIp(text: string): string | null {
  const value = text.trim();
  if (isIPv4(value)) return value;
  if (!isIPv6(value)) return null;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(value);
  if (mapped?.[1] && isIPv4(mapped[1])) return mapped[1];
  // The WHATWG URL parser serializes an IPv6 host in its canonical (RFC 5952) form. It refuses
  // a zone id (fe80::1%eth0), which no visitor on the internet has.
  try {
    return new URL(`http://[${value}]`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/** The eight 16-bit groups of a normalized IPv6 address. */
function ipv6Groups(ip: string): number[] {
  const [head = "", tail] = ip.split("::");
  const part = (text: string) => (text ? text.split(":").map((group) => Number.parseInt(group, 16)) : []);
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** The network of `bits` leading bits of a normalized IPv6 address, as `prefix::/bits` (canonical). */
function ipv6Network(ip: string, bits: 48 | 64): string {
  const kept = ipv6Groups(ip).map((group, i) => (i < bits / 16 ? group : 0));
  const canonical = new URL(`http://[${kept.map((group) => group.toString(16)).join(":")}]`).hostname;
  return `${canonical.slice(1, -1)}/${bits}`;
}

/** An IPv6 network as ipKey writes it (`2001:db8:1:2::/64`), or null. */
function parseIpv6Key(text: string): string | null {
  const match = /^([0-9a-f:]+)\/64$/i.exec(text.trim());
  const ip = match?.[1] ? normalizeIp(match[1]) : null;
  return ip && isIPv6(ip) ? ipv6Network(ip, 64) : null;
}

/**
 * What rate limits, blocks and abuse flags count an address as: an IPv4 address itself, and an
 * IPv6 address as its /64 network (`2001:db8:1:2::/64`), since one subscriber is given a whole
 * /64 and could otherwise rotate through unlimited addresses. A key passed in stays as it is,
 * and text that is not an address is returned unchanged (it can only equal itself).
 *
 * The database has the same function, `ip_key(text)` (migration 0006_ip_key), for rows that hold the
 * address itself; both write the same text.
 */
export function ipKey(text: string): string {
  const ip = normalizeIp(text);
  // A normalized address is IPv6 exactly when it has a colon (IPv4-mapped ones became IPv4).
  if (ip) return ip.includes(":") ? ipv6Network(ip, 64) : ip;
  return parseIpv6Key(text) ?? text;
}

/**
 * An address as the logs may show it: its IPv4 /24 or IPv6 /48 network (`203.0.113.0/24`,
 * `2001:db8:1::/48`). Full addresses are kept only in tables the retention job cleans.
 */
export function logIp(value: unknown): string {
  if (typeof value !== "string") return "unknown";
  // A /64 key logs as its /48 too.
  const ip = normalizeIp(value) ?? parseIpv6Key(value)?.replace(/\/64$/, "");
  if (!ip) return "unknown";
  if (isIPv6(ip)) return ipv6Network(ip, 48);
  return `${ip.split(".").slice(0, 3).join(".")}.0/24`;
}

/** Whether the address is the machine's own (127.0.0.0/8 or ::1, IPv4-mapped included). */
export function isLoopbackIp(text: string | undefined): boolean {
  const ip = text === undefined ? null : normalizeIp(text);
  if (!ip) return false;
  return isIPv6(ip) ? ip === "::1" : ip.startsWith("127.");
}

const ipMessage = "Enter an IP address, like 203.0.113.7 (IPv4) or 2001:db8::1 (IPv6).";

/**
 * An IP address typed in (normalized), or an IPv6 /64 as blocks list it (`2001:db8:1:2::/64`),
 * so a block shown in the portal can be lifted by what it shows.
 */
export const ipSchema = text({ error: "Enter an IP address." })
  .trim()
  .min(1, "Enter an IP address.")
  .max(64, ipMessage)
  .transform((value, ctx) => {
    const ip = normalizeIp(value) ?? parseIpv6Key(value);
    if (!ip) {
      ctx.addIssue({ code: "custom", message: ipMessage });
      return z.NEVER;
    }
    return ip;
  });
