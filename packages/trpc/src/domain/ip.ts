import { isIPv4, isIPv6 } from "node:net";
import { z } from "zod";
import { text } from "./validation";

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

/** The address as a request gave it and as normalized (one entry when they are the same). */
export function ipSpellings(text: string): string[] {
  const normal = normalizeIp(text);
  return normal && normal !== text ? [normal, text] : [text];
}

export const ipSchema = text({ error: "Enter an IP address." })
  .trim()
  .min(1, "Enter an IP address.")
  .max(64, "Enter an IP address, like 203.0.113.7 (IPv4) or 2001:db8::1 (IPv6).")
  .transform((value, ctx) => {
    const ip = normalizeIp(value);
    if (!ip) {
      ctx.addIssue({
        code: "custom",
        message: "Enter an IP address, like 203.0.113.7 (IPv4) or 2001:db8::1 (IPv6).",
      });
      return z.NEVER;
    }
    return ip;
  });
