import type { AppRouter, RouterInputs, RouterOutputs } from "@cac/trpc";
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCContext, createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import superjson from "superjson";
import { isUnauthenticated, shouldRetry } from "./lib/errors";

export type { AppRouter, RouterInputs, RouterOutputs };
export type Me = NonNullable<RouterOutputs["account"]["me"]>;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

/**
 * One query client and tRPC client for the page. Requests go to the portal's own origin as
 * application/json, which is what the server's CSRF guard requires of mutations.
 */
export function createClients() {
  const trpcClient = createTRPCClient<AppRouter>({
    links: [
      // Subscriptions (the phone panel's live feed) are server-sent events on the same origin.
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: "/trpc", transformer: superjson }),
        false: httpBatchLink({ url: "/trpc", transformer: superjson }),
      }),
    ],
  });

  // A session that ended elsewhere (revoked, expired) shows up as UNAUTHORIZED on any authed
  // call: mark the user logged out, and the app layout sends them to the login page.
  const onError = (error: unknown) => {
    if (isUnauthenticated(error)) queryClient.setQueryData(meKey(), null);
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: { staleTime: 30_000, retry: shouldRetry },
      mutations: { retry: false },
    },
  });
  const options = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
  const meKey = () => options.account.me.queryKey();

  return { trpcClient, queryClient };
}
