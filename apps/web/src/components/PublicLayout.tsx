import { SkipLink } from "@cac/ui";
import { Link, Outlet } from "react-router";
import { Brand } from "./Brand";
import { ModesLine } from "./ModesLine";
import { ThemeSwitch } from "./ThemeSwitch";

/** Pages for people who are not (necessarily) logged in: signup, login, email links, dev outbox. */
export function PublicLayout({ width = "narrow" }: { width?: "narrow" | "wide" }) {
  return (
    <div className="public-shell">
      <SkipLink />
      <header className="public-header">
        <Brand />
      </header>
      <main id="main" tabIndex={-1} className={`public-main public-main--${width}`}>
        <Outlet />
      </main>
      <footer className="site-footer">
        <nav aria-label="About Click & Call" className="footer-links">
          <Link to="/contact">Contact us</Link> · <a href="/privacy">Privacy policy</a>
        </nav>
        <ModesLine />
        <ThemeSwitch />
      </footer>
    </div>
  );
}
