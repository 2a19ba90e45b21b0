import type { RouterOutputs } from "../../trpc";

export type Role = RouterOutputs["team"]["members"][number]["role"];

export const roleLabels: Record<Role, string> = { owner: "Owner", admin: "Admin", agent: "Agent" };

/** What each role may do, as the invite dialog and the roles column explain it. */
export const roleHints: Record<Role, string> = {
  owner: "Everything, including billing, closing the account and the data export.",
  admin: "Buttons, routing, the team and visitor IPs; not billing.",
  agent: "Answers calls and handles callbacks; sees visitors' networks, not their IPs.",
};

/** The roles `actor` may give (admins never touch owners). */
export function assignableRoles(actor: Role): Role[] {
  return actor === "owner" ? ["owner", "admin", "agent"] : actor === "admin" ? ["admin", "agent"] : [];
}
