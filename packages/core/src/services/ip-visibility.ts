import type { MemberRole } from "@cac/db";
import { logIp } from "../domain/ip";

/**
 * Visitors' IP addresses as a member may see them: owners and admins see them whole (to block
 * one); agents see only its network (`203.0.113.0/24`), the way the logs show it.
 */
export function visibleIp(role: MemberRole, ip: string | null): string | null {
  if (ip === null || role !== "agent") return ip;
  return logIp(ip);
}

/** The rows with their visitors' IPs as `role` may see them. */
export function withVisibleIps<T extends { visitorIp: string | null }>(role: MemberRole, rows: T[]): T[] {
  return role === "agent" ? rows.map((row) => ({ ...row, visitorIp: visibleIp(role, row.visitorIp) })) : rows;
}
