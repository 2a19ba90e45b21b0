import { Alert, Button } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useSyncExternalStore } from "react";
import { useLocation, useNavigate } from "react-router";
import { useMe } from "../components/MeContext";
import { describeError } from "../lib/errors";
import { useTRPC, useTRPCClient } from "../trpc";
import { currentSubscription } from "./device";
import { callIntents, readCallIntent, withoutCallIntent } from "./intent";

/** How often an open portal tells the server this device is in use (the server counts 10 minutes). */
export const TOUCH_EVERY_MS = 5 * 60_000;

/**
 * The logged-in portal's side of push notifications: it takes a call request from a notification's
 * link, switches to the call's account when the portal shows another one (the phone panel of that
 * account then answers or declines it), and tells the server this device is active while it is open.
 */
export function NotificationBridge() {
  const location = useLocation();
  const navigate = useNavigate();
  const { account } = useMe();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const intent = useSyncExternalStore(callIntents.subscribe, callIntents.get);

  useEffect(() => {
    const fromLink = readCallIntent(location.search);
    if (!fromLink) return;
    callIntents.put(fromLink);
    navigate(
      { pathname: location.pathname, search: withoutCallIntent(location.search), hash: location.hash },
      { replace: true },
    );
  }, [location.pathname, location.search, location.hash, navigate]);

  const switchAccount = useMutation(
    trpc.team.switchAccount.mutationOptions({
      // As the account switcher does: everything shown was about the other account.
      onSuccess: () => queryClient.resetQueries(),
    }),
  );
  const otherAccount = intent && intent.accountId !== account.id ? intent.accountId : null;
  const { mutate: switchTo, isPending: switching } = switchAccount;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per request; a failure is shown, not retried in a loop.
  useEffect(() => {
    if (otherAccount && !switching) switchTo({ accountId: otherAccount });
  }, [otherAccount]);

  useActivityBeat();

  if (!switchAccount.isError || !otherAccount) return null;
  return (
    <div className="app-notice">
      <Alert
        tone="error"
        title="We could not open that call"
        actions={
          <Button
            variant="secondary"
            size="sm"
            onClick={() => {
              callIntents.take(otherAccount);
              switchAccount.reset();
            }}
          >
            Dismiss
          </Button>
        }
      >
        It belongs to another account, and switching to it failed:{" "}
        {describeError(switchAccount.error).message}
      </Alert>
    </div>
  );
}

/**
 * While the portal is open on a subscribed device, the server hears of it on open and every five
 * minutes, so a call rings this member by push only on a device that is in use.
 */
function useActivityBeat() {
  const client = useTRPCClient();
  useEffect(() => {
    let stopped = false;
    const beat = async () => {
      try {
        const subscription = await currentSubscription();
        if (!subscription || stopped) return;
        await client.notifications.touch.mutate({ endpoint: subscription.endpoint });
      } catch {
        // A missed beat only makes this device look idle a little sooner; the next one tries again.
      }
    };
    void beat();
    const timer = setInterval(() => void beat(), TOUCH_EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client]);
}
