import { Button, ErrorState, SkipLink } from "@cac/ui";
import { useRouteError } from "react-router";
import { usePageTitle } from "../lib/usePageTitle";

/** Last resort when a page throws while rendering: say so and offer a reload. */
export function RouteError() {
  usePageTitle("Something went wrong");
  const error = useRouteError();
  console.error(error);
  return (
    <div className="public-shell">
      <SkipLink />
      <main id="main" tabIndex={-1} className="public-main">
        <h1 className="ui-visually-hidden">Something went wrong</h1>
        <ErrorState
          title="Something went wrong on this page"
          message="Reload the page to try again. If it keeps happening, let us know what you were doing."
        />
        <p className="actions">
          <Button onClick={() => window.location.reload()}>Reload the page</Button>
        </p>
      </main>
    </div>
  );
}
