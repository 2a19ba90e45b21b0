/**
 * Per-browser UI preferences (the theme, a minimized phone dock) kept in localStorage. They are
 * UI state, not account data; a browser that refuses storage (private mode, blocked cookies) just
 * keeps the default.
 */
export function readPref<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  try {
    const value = window.localStorage.getItem(`cac.${key}`);
    return allowed.includes(value as T) ? (value as T) : fallback;
  } catch {
    return fallback;
  }
}

export function writePref(key: string, value: string): void {
  try {
    window.localStorage.setItem(`cac.${key}`, value);
  } catch {
    // Storage refused: the choice lasts until the page is reloaded.
  }
}
