import { SkipLink } from "@cac/ui";
import { Outlet } from "react-router";
import { Brand } from "./Brand";
import { ModesLine } from "./ModesLine";

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
        <ModesLine />
      </footer>
    </div>
  );
}
