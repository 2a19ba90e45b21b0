import { Alert, ErrorState, PageSkeleton, SkipLink } from "@cac/ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import { Navigate, Outlet, useLocation, useNavigate } from "react-router";
import { describeError, isUnauthenticated } from "../lib/errors";
import { setPortalTimeZone } from "../lib/format";
import { loginPathFor } from "../lib/navigation";
import { useSessionEnded } from "../lib/session";
import { PhonePanel } from "../phone/PhonePanel";
import { NotificationBridge } from "../push/NotificationBridge";
import { useTRPC } from "../trpc";
import { AccountClosedBanner } from "./AccountClosedBanner";
import { AppHeader } from "./AppHeader";
import { Brand } from "./Brand";
import { LeaveContext, MeContext } from "./MeContext";
import { ModesLine } from "./ModesLine";
import { PastDueBanner } from "./PastDueBanner";
import { PolicyNoticeBanner } from "./PolicyNoticeBanner";
import { ThemeSwitch } from "./ThemeSwitch";
import { VerifyEmailBanner } from "./VerifyEmailBanner";

/** The logged-in portal: navigation, account notices, and the page. Logged-out visits go to login. */
export function AppLayout() {
  const trpc = useTRPC();
  const location = useLocation();
  const navigate = useNavigate();
  const me = useQuery(trpc.account.me.queryOptions());
  const sessionEnded = useSessionEnded();
  // Set when the user logs out on purpose, so the guard below does not also redirect (to a
  // login page with ?next= and without the "You are logged out" message).
  const leaving = useRef(false);
  const leave = useCallback(() => {
    leaving.current = true;
    sessionEnded();
    navigate("/login", { replace: true, state: { loggedOut: true } });
  }, [navigate, sessionEnded]);
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSuccess: () => leave(),
      onError: (error) => {
        // Already logged out on the server (session expired or revoked): same outcome.
        if (isUnauthenticated(error)) leave();
      },
    }),
  );

  if (me.data === undefined) {
    // The shell's shape while the account loads, so the page does not jump once it is there.
    return (
      <div className="app-shell">
        <SkipLink />
        <header className="app-header">
          <div className="app-header-inner">
            <Brand />
          </div>
        </header>
        <main id="main" tabIndex={-1} className="app-main">
          {me.isError ? (
            <ErrorState
              title="We could not load your account"
              message={describeError(me.error).message}
              onRetry={() => me.refetch()}
              retrying={me.isFetching}
            />
          ) : (
            <PageSkeleton label="Loading your account…" />
          )}
        </main>
      </div>
    );
  }
  if (me.data === null) return leaving.current ? null : <Navigate to={loginPathFor(location)} replace />;

  const { user, account } = me.data;
  // Dates on every page are read in the account's timezone (idempotent, so fine during render).
  setPortalTimeZone(account.timezone);
  return (
    <MeContext.Provider value={me.data}>
      <LeaveContext.Provider value={leave}>
        <div className="app-shell">
          <SkipLink />
          <AppHeader onLogout={() => logout.mutate()} loggingOut={logout.isPending} />
          {logout.isError && !isUnauthenticated(logout.error) ? (
            <div className="app-notice">
              <Alert tone="error" title="We could not log you out">
                {describeError(logout.error).message}
              </Alert>
            </div>
          ) : null}
          {user.emailVerified ? null : <VerifyEmailBanner email={user.email} />}
          <AccountClosedBanner />
          <PastDueBanner />
          <PolicyNoticeBanner />
          <NotificationBridge />
          {/* Its stream rings the active account's calls: a switch of account opens a new one. */}
          <PhonePanel key={account.id} />
          <main id="main" tabIndex={-1} className="app-main">
            <Outlet />
          </main>
          <footer className="site-footer">
            <ModesLine />
            <ThemeSwitch />
          </footer>
        </div>
      </LeaveContext.Provider>
    </MeContext.Provider>
  );
}
