import { createContext, useContext } from "react";
import type { Me } from "../trpc";

export const MeContext = createContext<Me | null>(null);

/** The logged-in user and account; only inside the app layout, which loads them first. */
export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe() is only available inside the app layout");
  return me;
}
