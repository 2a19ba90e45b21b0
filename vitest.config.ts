import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";
import { widgetDefines } from "./apps/widget/build.mjs";

/**
 * The suites that take longest (minutes on a loaded machine), started first: with no results
 * cache (a fresh clone, as in CI) Vitest orders files by size, which put the longest of these
 * last, with one worker left running it alone at the end.
 */
const LONGEST_FIRST = [
  "scripts/test/extending-guide.test.ts",
  "packages/db/test/client.test.ts",
  "apps/server/test/rolling-restart.test.ts",
  "apps/server/test/phone-fanout.test.ts",
  "apps/server/test/callbacks.test.ts",
  "apps/server/test/abuse-config-limit.test.ts",
  "apps/server/test/widget-guards.test.ts",
  "packages/db/test/memberships-backfill.test.ts",
  "packages/db/test/usage-backfill.test.ts",
];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const at = LONGEST_FIRST.findIndex((path) => file.moduleId.endsWith(`/${path}`));
      return at === -1 ? LONGEST_FIRST.length : at;
    };
    // Array.prototype.sort is stable: the rest keep Vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

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
    sequence: { sequencer: LongestFirst },
  },
});
