import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { closedText } from "../src/hours";
import en, { type Strings } from "../src/i18n/en";
import type { PublicButtonConfig, Words } from "../src/types";

/** A `src` for the loader's <script> whose folder holds a widget-call.js that re-exports src/call-ui.ts. */
export const fixtureScriptSrc = pathToFileURL(join(__dirname, "fixtures/widget.js")).href;

export const MONDAY_10AM_NY = Date.parse("2026-03-02T15:00:00Z");
export const MONDAY_8PM_NY = Date.parse("2026-03-03T01:00:00Z");

export function makeConfig(overrides: Partial<PublicButtonConfig> = {}): PublicButtonConfig {
  return {
    id: "b_test",
    label: "Call us",
    businessName: "Acme Plumbing",
    style: {
      background: "#1d4ed8",
      text: "#ffffff",
      size: "medium",
      shape: "pill",
      position: "bottom-right",
      icon: "phone",
    },
    logoUrl: null,
    timezone: "America/New_York",
    hours: [],
    holidays: [],
    closedBehavior: "message",
    theme: "light",
    // Monday and Tuesday 2–3 March 2026, 9:00–17:00 New York.
    openWindows: [
      { opens: "2026-03-02T14:00:00.000Z", closes: "2026-03-02T22:00:00.000Z" },
      { opens: "2026-03-03T14:00:00.000Z", closes: "2026-03-03T22:00:00.000Z" },
    ],
    callable: true,
    apiOrigin: "https://api.cac.test",
    ...overrides,
  };
}

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/**
 * Runs the file's tests with the visitor's clock in New York, and puts the process's zone back
 * afterwards (a worker process may run other files next).
 */
export function visitorInNewYork(hooks: { beforeAll(fn: () => void): void; afterAll(fn: () => void): void }) {
  const previous = process.env.TZ;
  hooks.beforeAll(() => {
    process.env.TZ = "America/New_York";
  });
  hooks.afterAll(() => {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  });
}

/** A language chunk as the loader hands it to the call UI (what dist/widget-<code>.js exports). */
export function words(t: Strings = en): Words {
  return { t, closed: (next, now) => closedText(next, now, t) };
}
