import { TextField } from "@cac/ui";
import { type Choice, ChoiceGroup } from "./ChoiceGroup";
import { type ButtonLanguage, type Draft, type OwnTexts, widgetLanguageNames } from "./draft";
import { EditorSection } from "./EditorSection";
import type { ButtonDraft } from "./useButtonDraft";

const languageOptions: ReadonlyArray<Choice<ButtonLanguage>> = [
  {
    value: "auto",
    label: "Follow the visitor's browser (English or Spanish)",
    hint: "Spanish for visitors whose browser prefers Spanish, English for everyone else.",
  },
  { value: "en", label: "Always English", hint: "Every visitor sees the button and its dialog in English." },
  { value: "es", label: "Always Spanish", hint: "Every visitor sees the button and its dialog in Spanish." },
];

/**
 * The language the widget speaks, and the owner's button text and closed message in each
 * language (each optional: the button text falls back to the one under Basics, the closed message
 * to the widget's own words).
 */
export function LanguageSection({ form }: { form: ButtonDraft }) {
  const { draft, update, errors } = form;
  const languageError = errors.field("language");
  const textsError = errors.field("texts");
  const setText = (lang: keyof Draft["texts"], key: keyof OwnTexts, value: string) =>
    update("texts", { ...draft.texts, [lang]: { ...draft.texts[lang], [key]: value } });
  // Only the languages visitors can see get their texts.
  const shown = widgetLanguageNames.filter((l) => draft.language === "auto" || draft.language === l.value);
  return (
    <EditorSection
      id="language"
      title="Language"
      description="The widget's own words (dialog, errors, the callback form, opening times) are translated for you."
    >
      <ChoiceGroup
        legend="Language"
        legendHidden
        name="language"
        options={languageOptions}
        value={draft.language}
        onChange={(value) => update("language", value)}
        describedBy={languageError ? "language-error" : undefined}
      />
      {languageError ? (
        <p className="ui-field-error" id="language-error">
          {[languageError].flat().join(" ")}
        </p>
      ) : null}
      {shown.map(({ value, name }) => (
        <fieldset key={value} className="stack language-texts">
          <legend className="ui-label">In {name}</legend>
          <div className="form-grid">
            <TextField
              label={`Text on the button, in ${name}`}
              hint={`Empty: “${draft.label.trim() || "Call us"}”, the button text under Basics.`}
              maxLength={40}
              autoComplete="off"
              lang={value}
              value={draft.texts[value].label}
              onChange={(event) => setText(value, "label", event.target.value)}
            />
            <TextField
              label={`Closed message, in ${name}`}
              hint="Shown in the dialog while you are closed, e.g. a number for emergencies."
              maxLength={300}
              autoComplete="off"
              lang={value}
              value={draft.texts[value].closedMessage}
              onChange={(event) => setText(value, "closedMessage", event.target.value)}
            />
          </div>
        </fieldset>
      ))}
      {textsError ? (
        <p className="ui-field-error" role="alert">
          {[textsError].flat().join(" ")}
        </p>
      ) : null}
    </EditorSection>
  );
}
