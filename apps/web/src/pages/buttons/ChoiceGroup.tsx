/** One choice of a group: what it is called and what it does. */
export type Choice<T extends string> = { value: T; label: string; hint: string };

/** Radio buttons with a label and a hint each, as the button editor's either-or settings are shown. */
export function ChoiceGroup<T extends string>({
  legend,
  legendHidden = false,
  name,
  options,
  value,
  onChange,
  describedBy,
}: {
  legend: string;
  legendHidden?: boolean;
  name: string;
  options: ReadonlyArray<Choice<T>>;
  value: T;
  onChange: (value: T) => void;
  describedBy?: string | undefined;
}) {
  return (
    <fieldset className="choice-group" aria-describedby={describedBy}>
      <legend className={legendHidden ? "ui-visually-hidden" : "ui-label"}>{legend}</legend>
      {options.map((option) => (
        <label key={option.value} className="choice">
          <input
            type="radio"
            name={name}
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
  );
}
