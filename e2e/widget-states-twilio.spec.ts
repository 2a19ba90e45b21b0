import { accounts, buttons } from "@cac/db";
import { eq } from "drizzle-orm";
import { buttonFields, trpc } from "./api";
import { accountWithButton, party } from "./call-parties";
import { expect } from "./fixtures";
import { axeDialog, expectFormKept, openDialog, shots, test, typeDetails } from "./widget-dialog";

/**
 * The widget's failure state when Twilio is out of reach (widget-states.spec.ts has the others): a
 * server with Twilio Voice hands the visitor a Twilio call, the Voice SDK cannot connect to
 * Twilio's edge, and the dialog offers the callback form, keeping what the visitor typed.
 */
test.use({
  serverEnv: {
    TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "e2e-auth-token",
    TWILIO_API_KEY: `SK${"2".repeat(32)}`,
    TWILIO_API_SECRET: "e2e-api-secret",
    TWILIO_TWIML_APP_SID: `AP${"3".repeat(32)}`,
    TWILIO_CALLER_ID: "+12025550100",
  },
});
test.describe.configure({ timeout: 180_000 });

test("Twilio unreachable: the call fails and the callback form is offered, keeping what was typed", async ({
  browser,
  playwright,
  server,
  site,
}, testInfo) => {
  const { api, button } = await accountWithButton(playwright, server);
  // A plan that rings phones (billing is off here, so it is set as Stripe's webhook would).
  const [row] = await server.db
    .select({ accountId: buttons.accountId })
    .from(buttons)
    .where(eq(buttons.id, button.id));
  if (!row) throw new Error("the button is missing");
  await server.db.update(accounts).set({ plan: "pro" }).where(eq(accounts.id, row.accountId));
  await trpc(api, "buttons.update", {
    id: button.id,
    fields: buttonFields({ phoneNumber: "(202) 555-0143", ringPortal: false }),
  });
  const visitor = await party(browser);
  // Twilio's edge is down: every connection to it is refused (this machine has no route to it anyway).
  await visitor.context.route(/twilio\.com/, (route) => route.abort("connectionrefused"));
  await visitor.context.routeWebSocket(/twilio\.com/, (ws) => ws.close());
  const dialog = await openDialog(visitor, site, button.publicId);
  await dialog.getByRole("button", { name: "Request a callback" }).click({ timeout: 15_000 });
  await typeDetails(dialog);
  // The server chose Twilio: the widget loads the Voice SDK's chunk, which cannot reach Twilio.
  const sdk = visitor.page.waitForResponse(/\/widget-twilio\.js/);
  await dialog.getByRole("button", { name: "Call now" }).click();
  expect((await sdk).ok()).toBe(true);
  await expect(dialog.getByRole("alert")).toContainText("The call didn't go through", { timeout: 30_000 });
  await expect(dialog).toContainText("The call couldn't be connected. Please try again in a moment.");
  await expectFormKept(dialog);
  await axeDialog(visitor.page);
  await shots(visitor.page, testInfo, "twilio-unreachable", "light");
  expect(visitor.errors).toEqual([]);
  await Promise.all([visitor.context.close(), api.dispose()]);
});
