import { createContext, useContext } from "react";
import type { Me } from "../trpc";

export const MeContext = createContext<Me | null>(null);

/** The logged-in user and account; only inside the app layout, which loads them first. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe() is only available inside the app layout");
  return me;
}

export const LeaveContext = createContext<(() => void) | null>(null);

/** Forgets the session in the portal and goes to the login page saying "You are logged out". */
export function useLeave(): () => void {
  const leave = useContext(LeaveContext);
  if (!leave) throw new Error("useLeave() is only available inside the app layout");
  return leave;
}

/** Owners and admins manage the account's buttons, team and IP blocks (the server decides again). */
export function managesAccount(role: string): boolean {
  return role === "owner" || role === "admin";
}
