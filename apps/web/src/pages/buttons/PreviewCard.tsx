import { Alert, Card } from "@cac/ui";
import { useState } from "react";
import { type ButtonLanguage, type Draft, type WidgetLanguage, widgetLanguageNames } from "./draft";
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
  // The language shown: the button's fixed one to begin with, else English; the owner switches.
  // A switch made under another language setting no longer counts: the new setting shows.
  const [picked, setPicked] = useState<{ under: ButtonLanguage; language: WidgetLanguage } | null>(null);
  const fixed = draft.language === "auto" ? null : draft.language;
  const language = (picked?.under === draft.language ? picked.language : null) ?? fixed ?? "en";
  const preview = usePreview(draft, mode, { publicId, logoUrl, language });
  const languageName = (value: WidgetLanguage) =>
    widgetLanguageNames.find((l) => l.value === value)?.name ?? value;
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
        <fieldset className="segmented">
          <legend className="segmented-legend">Language</legend>
          {widgetLanguageNames.map(({ value, name }) => (
            <label key={value} className="segmented-option">
              <input
                type="radio"
                name="preview-language"
                value={value}
                checked={language === value}
                onChange={() => setPicked({ under: draft.language, language: value })}
              />
              <span>{name}</span>
            </label>
          ))}
        </fieldset>
        {fixed && fixed !== language ? (
          <p className="ui-hint">
            Visitors always see {languageName(fixed)}: this button's language is fixed under Language.
          </p>
        ) : null}
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
