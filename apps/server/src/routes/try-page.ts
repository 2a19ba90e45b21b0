import type { Limits, Ports, Settings } from "@cac/core";
import { TEST_CALL_MINUTES, tryPageButton } from "@cac/core";
import type { FastifyInstance } from "fastify";
import { registerPortalRoute } from "./guard";

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The test page's HTML: a plain page marked as a test page, with the button's snippet. */
export function tryPageHtml(
  button: { publicId: string; name: string; enabled: boolean },
  widgetOrigin: string,
) {
  const name = escapeHtml(button.name);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>Test page: ${name} · Click &amp; Call</title>
    <style>
      body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #1f2430; background: #f6f7f9; }
      .tag { margin: 0; padding: 8px 16px; background: #7c2d12; color: #fff; font-weight: 700; }
      main { max-width: 40rem; margin: 0 auto; padding: 24px 16px 120px; }
      h1 { font-size: 1.5rem; line-height: 1.25; }
      .off { padding: 12px; border: 1px solid #b45309; border-radius: 8px; background: #fffbeb; }
      a { color: #1d4ed8; }
    </style>
  </head>
  <body>
    <header><p class="tag">Test page</p></header>
    <main>
      <h1>Try your button “${name}”</h1>
      <p>
        This page is hosted by Click &amp; Call so that you can call yourself before the button is on
        your website. Calls from here show as “Test” in your call log, don't count against your
        plan's minutes, and last at most ${TEST_CALL_MINUTES} minutes.
      </p>
      <p>Keep the portal open in another tab, available to answer, then press the button on this page.</p>
      ${button.enabled ? "" : `<p class="off">This button is turned off, so it does not show here. Turn it on in its settings to try it.</p>`}
      <p><a href="/">Back to the portal</a></p>
    </main>
    <script src="${escapeHtml(widgetOrigin)}/widget.js" data-button="${escapeHtml(button.publicId)}" async></script>
  </body>
</html>
`;
}

/**
 * `GET /try/:publicId`: the button's test page, for the members of its account only (another
 * account's button is not found). The portal's security headers stay: no framing, so no other site
 * can show the page, and the Referer that identifies it to the widget tier is sent on its own
 * requests only (services/try-page.ts).
 */
export function registerTryPage(app: FastifyInstance, ports: Ports, settings: Settings, limits: Limits) {
  registerPortalRoute<{ Params: { publicId: string } }>(
    app,
    { ports, settings, limits },
    "GET /try/:publicId",
    async (req, reply, { auth }) => {
      const button = await tryPageButton(ports, auth.account.id, req.params.publicId);
      return reply
        .type("text/html; charset=utf-8")
        .header("Cache-Control", "no-store")
        .send(tryPageHtml(button, settings.publicUrl.origin));
    },
  );
}
