import { defineConfig } from "vitest/config";
import { widgetDefines } from "./apps/widget/build.mjs";

export default defineConfig({
  // The widget's build-time constants (its languages), as its bundles get them.
  define: widgetDefines(),
  test: {
    include: [
      "{apps,packages}/*/test/**/*.test.ts",
      "{apps,packages}/*/src/**/*.test.{ts,tsx}",
      // Checks of the repository itself: its lint boundaries, its guide.
      "scripts/test/**/*.test.ts",
    ],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Vitest's default on a 2-core machine is one worker; the suites mostly wait on servers,
    // databases and timers, and each has its own database and ports, so two run side by side.
    maxWorkers: 2,
  },
});
