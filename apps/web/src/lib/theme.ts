import { useCallback, useState } from "react";
import { readPref, writePref } from "./browser-pref";

export const themeChoices = ["system", "light", "dark"] as const;
export type ThemeChoice = (typeof themeChoices)[number];

export const themeLabels: Record<ThemeChoice, string> = {
  system: "System",
  light: "Light",
  dark: "Dark",
};

export function readTheme(): ThemeChoice {
  return readPref("theme", themeChoices, "system");
}

/**
 * "system" leaves <html> without data-theme, so the stylesheet's `color-scheme: light dark`
 * follows prefers-color-scheme (live, with no listener); light or dark pins it.
 */
export function applyTheme(choice: ThemeChoice): void {
  const root = document.documentElement;
  if (choice === "system") delete root.dataset.theme;
  else root.dataset.theme = choice;
}

/** The theme switch's state: applied at once and remembered by this browser. */
export function useTheme(): [ThemeChoice, (choice: ThemeChoice) => void] {
  const [theme, setThemeState] = useState(readTheme);
  const setTheme = useCallback((choice: ThemeChoice) => {
    setThemeState(choice);
    applyTheme(choice);
    writePref("theme", choice);
  }, []);
  return [theme, setTheme];
}
