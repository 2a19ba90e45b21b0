import { useId } from "react";
import { type ThemeChoice, themeChoices, themeLabels, useTheme } from "../lib/theme";

/** Light, dark, or the system's choice; remembered per browser. */
export function ThemeSwitch() {
  const [theme, setTheme] = useTheme();
  const id = `theme${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
  return (
    <div className="compact-field">
      <label className="compact-field-label" htmlFor={id}>
        Theme
      </label>
      <select
        id={id}
        className="ui-input ui-select"
        value={theme}
        onChange={(event) => setTheme(event.target.value as ThemeChoice)}
      >
        {themeChoices.map((choice) => (
          <option key={choice} value={choice}>
            {themeLabels[choice]}
          </option>
        ))}
      </select>
    </div>
  );
}
