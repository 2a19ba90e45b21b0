/**
 * The button's icons as 24x24 filled paths (names match `buttonIcons` in the portal's fields).
 * Kept tiny on purpose: they ship in the 3 KB loader.
 */
export const icons: Record<string, string> = {
  phone:
    "M6.6 10.8a15 15 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25c1.1.37 2.3.57 3.6.57a1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z",
  headset: "M3 13a9 9 0 0 1 18 0v5a3 3 0 0 1-3 3h-2v-8h3a7 7 0 0 0-14 0h3v8H6a3 3 0 0 1-3-3z",
  chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z",
};
