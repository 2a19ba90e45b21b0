import { Alert, Card } from "@cac/ui";
import { TestModeNotice } from "../../components/TestModeNotice";
import type { ButtonView } from "./draft";
import { EmailInstructions } from "./EmailInstructions";
import { InstallStatus } from "./InstallStatus";
import { SnippetBox } from "./SnippetBox";

/** The embed snippet of a saved button; a new one gets its snippet once created. */
export function SnippetCard({
  button,
  onAllowed,
}: {
  button: ButtonView | null;
  onAllowed?: (view: ButtonView) => void;
}) {
  return (
    <Card id="snippet" title="Add it to your site">
      {button ? (
        <div className="stack">
          <section aria-labelledby="install-status-title" className="stack-sm">
            <h3 id="install-status-title" className="install-title">
              Installation
            </h3>
            <InstallStatus button={button} onAllowed={onAllowed} />
          </section>
          <SnippetBox snippet={button.snippet} />
          <EmailInstructions button={button} />
          <TestModeNotice />
          {button.enabled ? null : (
            <Alert tone="warning">
              This button is turned off: the snippet shows nothing until it is active.
            </Alert>
          )}
        </div>
      ) : (
        <p className="muted">
          Create the button to get its snippet: one line of HTML to paste into your site.
        </p>
      )}
    </Card>
  );
}
