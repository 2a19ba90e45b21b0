import type { ClosedBehavior } from "./draft";
import { EditorSection } from "./EditorSection";

const closedOptions: ReadonlyArray<{ value: ClosedBehavior; label: string; hint: string }> = [
  {
    value: "message",
    label: "Show when you are back",
    hint: "The button stays visible with “Closed — back at 9:00 AM”, in the visitor's local time.",
  },
  {
    value: "callback",
    label: "Offer a callback request",
    hint: "Visitors leave their name and number. Requests appear under Callbacks and are emailed to you.",
  },
  { value: "hide", label: "Hide the button", hint: "Nothing shows on your site while you are closed." },
];

/** What visitors get outside the opening hours. */
export function ClosedBehaviorSection({
  value,
  onChange,
  error,
}: {
  value: ClosedBehavior;
  onChange: (value: ClosedBehavior) => void;
  error: string[] | undefined;
}) {
  return (
    <EditorSection id="closed" title="When you are closed">
      <fieldset className="choice-group" aria-describedby={error ? "closed-error" : undefined}>
        <legend className="ui-visually-hidden">When you are closed</legend>
        {closedOptions.map((option) => (
          <label key={option.value} className="choice">
            <input
              type="radio"
              name="closedBehavior"
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <span className="choice-text">
              <span className="choice-label">{option.label}</span>
              <span className="choice-hint">{option.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      {error ? (
        <p className="ui-field-error" id="closed-error">
          {error.join(" ")}
        </p>
      ) : null}
    </EditorSection>
  );
}
