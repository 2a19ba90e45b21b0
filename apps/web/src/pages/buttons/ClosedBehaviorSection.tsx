import { type Choice, ChoiceGroup } from "./ChoiceGroup";
import type { ClosedBehavior } from "./draft";
import { EditorSection } from "./EditorSection";

const closedOptions: ReadonlyArray<Choice<ClosedBehavior>> = [
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
      <ChoiceGroup
        legend="When you are closed"
        legendHidden
        name="closedBehavior"
        options={closedOptions}
        value={value}
        onChange={onChange}
        describedBy={error ? "closed-error" : undefined}
      />
      {error ? (
        <p className="ui-field-error" id="closed-error">
          {error.join(" ")}
        </p>
      ) : null}
    </EditorSection>
  );
}
