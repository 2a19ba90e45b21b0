import { Alert, Card } from "@cac/ui";
import { TestModeNotice } from "../../components/TestModeNotice";
import type { ButtonView } from "./draft";
import { SnippetBox } from "./SnippetBox";

/** The embed snippet of a saved button; a new one gets its snippet once created. */
export function SnippetCard({ button }: { button: ButtonView | null }) {
  return (
    <Card id="snippet" title="Add it to your site">
      {button ? (
        <div className="stack">
          <SnippetBox snippet={button.snippet} />
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
