import { Alert, Button, ErrorState, LoadingBlock, SkipLink } from "@cac/ui";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useCallback, useRef } from "react";
import { Navigate, NavLink, Outlet, useLocation, useNavigate } from "react-router";
import { describeError, isUnauthenticated } from "../lib/errors";
import { setPortalTimeZone } from "../lib/format";
import { loginPathFor } from "../lib/navigation";
import { useSessionEnded } from "../lib/session";
import { PhonePanel } from "../phone/PhonePanel";
import { useTRPC } from "../trpc";
import { AccountClosedBanner } from "./AccountClosedBanner";
import { AccountSwitcher } from "./AccountSwitcher";
import { Brand } from "./Brand";
import { LeaveContext, MeContext } from "./MeContext";
import { ModesLine } from "./ModesLine";
import { PastDueBanner } from "./PastDueBanner";
import { PolicyNoticeBanner } from "./PolicyNoticeBanner";
import { VerifyEmailBanner } from "./VerifyEmailBanner";

const navItems = [
  { to: "/", label: "Dashboard", end: true },
  { to: "/buttons", label: "Buttons", end: false },
  { to: "/calls", label: "Calls", end: false },
  { to: "/callbacks", label: "Callbacks", end: false },
  { to: "/team", label: "Team", end: false },
  { to: "/billing", label: "Billing", end: false },
  { to: "/account", label: "Account", end: false },
];

/** Shown to Click & Call operators only (the server refuses everyone else anyway); its pages have tabs. */
const operatorNavItems = [{ to: "/operator", label: "Operator", end: false }];

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
    return (
      <div className="public-shell">
        <SkipLink />
        <main id="main" tabIndex={-1} className="public-main">
          {me.isError ? (
            <ErrorState
              title="We could not load your account"
              message={describeError(me.error).message}
              onRetry={() => me.refetch()}
              retrying={me.isFetching}
            />
          ) : (
            <LoadingBlock label="Loading your account…" />
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
          <header className="app-header">
            <div className="app-header-inner">
              <Brand />
              <nav className="app-nav" aria-label="Main">
                <ul>
                  {[...navItems, ...(me.data.isOperator ? operatorNavItems : [])].map((item) => (
                    <li key={item.to}>
                      <NavLink to={item.to} end={item.end} className="app-nav-link">
                        {item.label}
                      </NavLink>
                    </li>
                  ))}
                </ul>
              </nav>
              <div className="app-user">
                <AccountSwitcher />
                <p className="app-user-text">
                  <span className="app-user-name">{user.name}</span>
                  <span className="app-user-company">{account.companyName}</span>
                </p>
                <Button
                  variant="secondary"
                  size="sm"
                  onClick={() => logout.mutate()}
                  pending={logout.isPending}
                  pendingLabel="Logging out…"
                >
                  Log out
                </Button>
              </div>
            </div>
          </header>
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
          {/* Its stream rings the active account's calls: a switch of account opens a new one. */}
          <PhonePanel key={account.id} />
          <main id="main" tabIndex={-1} className="app-main">
            <Outlet />
          </main>
          <footer className="site-footer">
            <ModesLine />
          </footer>
        </div>
      </LeaveContext.Provider>
    </MeContext.Provider>
  );
}
