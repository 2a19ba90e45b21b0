import { Alert, Card } from "@cac/ui";
import { useState } from "react";
import type { Draft } from "./draft";
import { type PreviewMode, usePreview } from "./usePreview";
import { WidgetPreview } from "./WidgetPreview";

/** The real widget with the draft's settings, as it is now or at its next opening or closing. */
export function PreviewCard({
  draft,
  publicId,
  logoUrl,
}: {
  draft: Draft;
  publicId: string | null;
  logoUrl: string | null;
}) {
  const [mode, setMode] = useState<PreviewMode>("open");
  const preview = usePreview(draft, mode, { publicId, logoUrl });
  return (
    <Card
      id="preview"
      title="Live preview"
      description="The real widget, as visitors will see it. Click it to try the dialog."
    >
      <div className="stack">
        <fieldset className="segmented">
          <legend className="segmented-legend">Preview as</legend>
          {(["open", "closed"] as const).map((value) => (
            <label key={value} className="segmented-option">
              <input
                type="radio"
                name="preview-mode"
                value={value}
                checked={mode === value}
                onChange={() => setMode(value)}
              />
              <span>{value === "open" ? "Open" : "Closed"}</span>
            </label>
          ))}
        </fieldset>
        <p className="preview-status">
          {preview.openNow ? "Open right now" : "Closed right now"} ({draft.timezone.replaceAll("_", " ")}
          ).
          {preview.shifted ? (
            <> Showing {mode === "open" ? "the next opening" : "the next closing"}.</>
          ) : null}
        </p>
        {preview.note ? <Alert tone="info">{preview.note}</Alert> : null}
        <WidgetPreview config={preview.config} now={preview.now} />
        <p className="ui-hint">Times in the preview are in your timezone; visitors see theirs.</p>
      </div>
    </Card>
  );
}
