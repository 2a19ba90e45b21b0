import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { useTRPC } from "../trpc";

/** Everything cached belongs to the previous user except the server's public info. */
function dropUserData(queryClient: QueryClient) {
  queryClient.removeQueries({
    predicate: (query) => {
      const path = query.queryKey[0];
      const root = Array.isArray(path) ? path[0] : undefined;
      const isMe = Array.isArray(path) && path[0] === "account" && path[1] === "me";
      return root !== "system" && !isMe;
    },
  });
}

/**
 * After login, email verification or a password reset: the server set a new session cookie,
 * so load the new user before navigating (the app layout reads `me` to decide access).
 */
export function useSessionStarted() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(async () => {
    dropUserData(queryClient);
    // A `me` request sent before the cookie existed may still be in flight; fetchQuery would
    // reuse it and get the logged-out answer. Cancel it and ask again.
    const meKey = trpc.account.me.queryKey();
    await queryClient.cancelQueries({ queryKey: meKey });
    try {
      await queryClient.fetchQuery({ ...trpc.account.me.queryOptions(), staleTime: 0 });
    } catch {
      // Go on without it: the app layout loads `me` itself and offers a retry. Drop the old
      // logged-out answer first, or the layout would act on it.
      queryClient.removeQueries({ queryKey: meKey, exact: true });
    }
  }, [queryClient, trpc]);
}

/** After logout or revoking this device's session. */
export function useSessionEnded() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useCallback(() => {
    dropUserData(queryClient);
    queryClient.setQueryData(trpc.account.me.queryKey(), null);
  }, [queryClient, trpc]);
}
