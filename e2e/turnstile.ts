import type { Page } from "@playwright/test";
import { startTurnstileStandIn, type TurnstileStandIn } from "../apps/server/test/turnstile-stand-in";
import { test as base } from "./fixtures";

/**
 * Turnstile on, with both ends standing in for Cloudflare (out of reach here): the server
 * verifies against a local siteverify that issues the tokens, and `routeTurnstileScript`
 * serves the browser a small api.js in place of challenges.cloudflare.com's.
 */
export function withTurnstile(keys: { secret: string; siteKey: string }, env: Record<string, string> = {}) {
  return base.extend<object, { siteverify: TurnstileStandIn }>({
    siteverify: [
      // biome-ignore lint/correctness/noEmptyPattern: Playwright reads the fixtures a function destructures
      async ({}, use) => {
        const standIn = await startTurnstileStandIn(keys.secret);
        await use(standIn);
        await standIn.close();
      },
      { scope: "worker" },
    ],
    serverEnv: [
      async ({ siteverify }, use) => {
        await use({
          TURNSTILE_SITE_KEY: keys.siteKey,
          TURNSTILE_SECRET_KEY: keys.secret,
          TURNSTILE_VERIFY_URL: siteverify.url,
          ...env,
        });
      },
      { scope: "worker" },
    ],
  });
}

/**
 * The stand-in api.js: each widget renders a "Verify you are human" button (as an
 * interaction-only widget does when Cloudflare wants a click) that hands over the token for the
 * widget's action, so a widget rendered with the wrong action or site key gets none. It records
 * what was rendered in `window.__renders`, and `window.__turnstileExpire()` expires the last one.
 */
function fakeApi(siteKey: string, tokens: Record<string, string>) {
  return `(() => {
  const tokens = ${JSON.stringify(tokens)};
  let n = 0;
  const widgets = {};
  window.__renders = [];
  window.turnstile = {
    render(box, options) {
      window.__renders.push({ sitekey: options.sitekey, action: options.action, appearance: options.appearance });
      const id = "w" + ++n;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Verify you are human";
      button.onclick = () => {
        const token = tokens[options.action];
        if (token) options.callback(token); else options["error-callback"]("110100");
      };
      box.append(button);
      widgets[id] = { box, button, options };
      window.__turnstileExpire = () => options["expired-callback"]();
      if (options.sitekey !== ${JSON.stringify(siteKey)}) options["error-callback"]("110200");
      return id;
    },
    reset(id) {},
    remove(id) { widgets[id]?.button.remove(); delete widgets[id]; },
  };
})();`;
}

/** Serves the stand-in api.js to this page; `scriptRequests()` counts how often it was fetched. */
export async function routeTurnstileScript(page: Page, siteKey: string, tokens: Record<string, string>) {
  let requests = 0;
  await page.route("https://challenges.cloudflare.com/turnstile/v0/api.js*", (route) => {
    requests += 1;
    return route.fulfill({ contentType: "text/javascript", body: fakeApi(siteKey, tokens) });
  });
  return { scriptRequests: () => requests };
}
