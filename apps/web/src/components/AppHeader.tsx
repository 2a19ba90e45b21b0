import { Button } from "@cac/ui";
import { useEffect, useRef, useState } from "react";
import { NavLink, useLocation } from "react-router";
import { AccountSwitcher } from "./AccountSwitcher";
import { Brand } from "./Brand";
import { useMe } from "./MeContext";

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

type Props = { onLogout: () => void; loggingOut: boolean };

/**
 * The portal's header. Wide screens show the navigation and the account inline; narrow ones a
 * one-row bar whose "Menu" button discloses them (CSS decides which: the markup is the same).
 * The menu closes on Escape (focus back on its button), on navigation and on a click outside.
 */
export function AppHeader({ onLogout, loggingOut }: Props) {
  const { user, account, isOperator } = useMe();
  const { pathname } = useLocation();
  const [open, setOpen] = useState(false);
  const header = useRef<HTMLElement>(null);
  const menuButton = useRef<HTMLButtonElement>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new page closes the menu
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const outside = (event: PointerEvent) => {
      if (!header.current?.contains(event.target as Node)) setOpen(false);
    };
    const onEscape = (event: KeyboardEvent) => {
      if (event.key !== "Escape") return;
      setOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener("pointerdown", outside);
    document.addEventListener("keydown", onEscape);
    return () => {
      document.removeEventListener("pointerdown", outside);
      document.removeEventListener("keydown", onEscape);
    };
  }, [open]);

  return (
    <header ref={header} className="app-header">
      <div className="app-header-inner">
        <Brand />
        <button
          ref={menuButton}
          type="button"
          className="ui-button ui-button--secondary ui-button--sm app-menu-button"
          aria-expanded={open}
          aria-controls="app-menu"
          onClick={() => setOpen(!open)}
        >
          <MenuIcon open={open} />
          Menu
        </button>
        <div id="app-menu" className="app-menu" data-open={open || undefined}>
          <nav className="app-nav" aria-label="Main">
            <ul>
              {[...navItems, ...(isOperator ? operatorNavItems : [])].map((item) => (
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
              onClick={onLogout}
              pending={loggingOut}
              pendingLabel="Logging out…"
            >
              Log out
            </Button>
          </div>
        </div>
      </div>
    </header>
  );
}

function MenuIcon({ open }: { open: boolean }) {
  return (
    <svg
      className="app-menu-icon"
      viewBox="0 0 24 24"
      width="20"
      height="20"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
    >
      {open ? <path d="M6 6l12 12M18 6L6 18" /> : <path d="M4 7h16M4 12h16M4 17h16" />}
    </svg>
  );
}
