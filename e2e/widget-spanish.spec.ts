import type { Locator } from "@playwright/test";
import { buttonFields, trpc, trpcQuery } from "./api";
import { accountWithButton, agentReady, type Party, party } from "./call-parties";
import { expect } from "./fixtures";
import { axeDialog, expectHeader, NAME, openDialog, PHONE, shots, test } from "./widget-dialog";

/**
 * The widget in Spanish for a visitor whose browser prefers it (`locale: "es-US"`): every state of
 * the dialog — home, the callback form and its checks, sent, permission, connecting, ringing,
 * connected (mute, keypad), ended, failed (no answer, declined, offline) and closed — speaks
 * Spanish, and the calls and requests are recorded as Spanish. A button with a fixed language
 * overrides the browser: an English one stays English under es-US, a Spanish one is Spanish under
 * en-US.
 */

test.use({ locale: "es-US" });
const RING_TIMEOUT_SECONDS = 5;
test.use({ serverEnv: { RING_TIMEOUT_SECONDS: String(RING_TIMEOUT_SECONDS) } });
// Two browsers, a server and real media on a shared two-core machine: generous.
test.describe.configure({ timeout: 180_000 });

const form = (dialog: Locator) => dialog.getByRole("form", { name: "Pedir que me llamen" });

/** The visitor types their name and number in the Spanish callback form. */
async function typeDetails(dialog: Locator) {
  await form(dialog).getByLabel("Nombre").pressSequentially(NAME);
  await form(dialog).getByLabel("Número de teléfono").pressSequentially(PHONE);
}

/** The microphone prompt and the call's placing last a moment here, so their frames can be seen. */
async function slowCallStart(visitor: Party) {
  await visitor.context.addInitScript(() => {
    const devices = navigator.mediaDevices;
    const ask = devices.getUserMedia.bind(devices);
    devices.getUserMedia = (constraints) =>
      new Promise((resolve) => setTimeout(resolve, 1500)).then(() => ask(constraints));
  });
  await visitor.page.route("**/trpc/calls.start**", async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
}

test.describe("the widget in Spanish (browser in es-US)", () => {
  test("every call state in Spanish: home, permission, connecting, ringing, connected, ended, failed, sent", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    const visitor = await party(browser);
    await slowCallStart(visitor);
    // The browser context speaks es-US, as a Spanish-speaking visitor's does.
    await visitor.page.goto(site.url(button.publicId));
    expect(await visitor.page.evaluate(() => navigator.languages)).toContain("es-US");

    // Nobody available: the form leads, in Spanish, with Spanish checks.
    let dialog = await openDialog(visitor, site, button.publicId);
    await expectHeader(dialog);
    await expect(dialog).toHaveAttribute("lang", "es-US");
    await expect(dialog.getByText("Nadie puede atender una llamada en este momento.")).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Cerrar" })).toBeVisible();
    await form(dialog).getByRole("button", { name: "Pedir que me llamen" }).click();
    await expect(dialog).toContainText("Escriba su nombre.");
    await expect(dialog).toContainText("Escriba su número de teléfono.");
    await form(dialog).getByLabel("Nombre").pressSequentially(NAME);
    await form(dialog).getByLabel("Número de teléfono").pressSequentially("555");
    await form(dialog).getByRole("button", { name: "Pedir que me llamen" }).click();
    await expect(dialog).toContainText("Escriba un número de teléfono completo, como (555) 123-4567.");
    await axeDialog(visitor.page);
    await shots(visitor.page, testInfo, "es-nobody-available", "light");

    // Someone can answer: "Llamar ahora" with the microphone line.
    const agent = await agentReady(browser, api, testInfo);
    const callNow = dialog.getByRole("button", { name: "Llamar ahora" });
    await expect(callNow).toBeVisible({ timeout: 15_000 });
    await expect(dialog.getByText("Su navegador le pedirá usar el micrófono. Nunca grabamos.")).toBeVisible();
    await expect(dialog.getByRole("button", { name: "Pedir que me llamen" })).toBeVisible();
    await shots(visitor.page, testInfo, "es-home", "light");

    // Permission, connecting, ringing: nobody answers in time.
    await callNow.click();
    await expect(dialog).toContainText("Permita el uso del micrófono");
    await expect(dialog.getByRole("button", { name: "Cancelar" })).toBeVisible();
    await expect(dialog).toContainText("Conectando…");
    await expect(dialog).toContainText("Sonando…", { timeout: 15_000 });
    await expect(dialog.getByRole("button", { name: "Colgar" })).toBeFocused();
    await expect(dialog).toContainText("Nadie contestó a tiempo.", {
      timeout: (RING_TIMEOUT_SECONDS + 20) * 1000,
    });
    await expect(dialog.getByRole("alert")).toHaveText("Nadie pudo atender su llamada");
    await expect(form(dialog)).toBeVisible();
    await shots(visitor.page, testInfo, "es-no-answer", "light");

    // Again, and the agent declines.
    const ring = agent.page.getByRole("article", { name: "Main site" });
    await dialog.getByRole("button", { name: "Volver", exact: true }).click();
    await dialog.getByRole("button", { name: "Llamar ahora" }).click();
    await ring.getByRole("button", { name: "Decline" }).click({ timeout: 30_000 });
    await expect(dialog).toContainText("No podemos atender su llamada en este momento.");

    // Again, answered: connected with Spanish controls, then hung up.
    await dialog.getByRole("button", { name: "Volver", exact: true }).click();
    await dialog.getByRole("button", { name: "Llamar ahora" }).click();
    await ring.getByRole("button", { name: "Answer" }).click({ timeout: 30_000 });
    await expect(dialog).toContainText("Conectado", { timeout: 30_000 });
    await expect(dialog.getByLabel("Duración de la llamada")).toBeVisible();
    const mute = dialog.getByRole("button", { name: "Silenciar" });
    await mute.click();
    await expect(mute).toHaveAttribute("aria-pressed", "true");
    await dialog.getByRole("button", { name: "Teclado" }).click();
    await expect(dialog.getByRole("group", { name: "Teclado" })).toBeVisible();
    await axeDialog(visitor.page);
    await shots(visitor.page, testInfo, "es-connected", "light");
    await dialog.getByRole("button", { name: "Colgar" }).click();
    await expect(dialog).toContainText("Llamada terminada");
    await expect(dialog.getByRole("button", { name: "Llamar de nuevo" })).toBeFocused();
    await shots(visitor.page, testInfo, "es-ended", "light");

    // The ended screen's callback request, sent: recorded as Spanish.
    await dialog.getByRole("button", { name: "Pedir que me llamen" }).click();
    await form(dialog).getByLabel("Número de teléfono").fill(PHONE);
    await form(dialog).getByRole("button", { name: "Pedir que me llamen" }).click();
    await expect(dialog).toContainText("Gracias — le llamaremos.");
    await shots(visitor.page, testInfo, "es-sent", "light");
    const callbacks = await trpcQuery<{ items: Array<{ name: string; language: string | null }> }>(
      api,
      "callbacks.list",
      {},
    );
    expect(callbacks.items).toEqual([expect.objectContaining({ name: NAME, language: "es" })]);
    const log = await trpcQuery<{ items: Array<{ status: string; language: string | null }> }>(
      api,
      "callLog.list",
      {},
    );
    expect(log.items.length).toBeGreaterThanOrEqual(3);
    for (const call of log.items) expect(call.language).toBe("es");

    // Offline: a Spanish failure with the form.
    await dialog.getByRole("button", { name: "Cerrar" }).first().click();
    dialog = await openDialog(visitor, site, button.publicId);
    await visitor.context.setOffline(true);
    await dialog.getByRole("button", { name: "Llamar ahora" }).click();
    await expect(dialog).toContainText("Parece que no tiene conexión.");
    await expect(dialog.getByRole("button", { name: "Intentar de nuevo" })).toBeVisible();
    await expect(form(dialog)).toBeVisible();
    await visitor.context.setOffline(false);
    expect(visitor.errors).toEqual([]);
    await Promise.all([visitor.context.close(), agent.context.close(), api.dispose()]);
  });

  test("closed: the button and the dialog say so in Spanish, with the owner's Spanish texts; the request is sent", async ({
    browser,
    playwright,
    server,
    site,
  }, testInfo) => {
    const { api, button } = await accountWithButton(playwright, server);
    await trpc(api, "buttons.update", {
      id: button.id,
      fields: {
        ...buttonFields({ hours: Array.from({ length: 7 }, () => []), closedBehavior: "callback" }),
        texts: {
          en: { label: "Call Acme", closedMessage: "Emergencies: 555-0100." },
          es: { label: "Llame a Acme", closedMessage: "Para emergencias llame al 555-0100." },
        },
      },
    });
    const visitor = await party(browser);
    await visitor.page.goto(site.url(button.publicId));
    const open = visitor.page.getByRole("button", { name: /^Llame a Acme/ });
    await expect(open).toHaveText("Llame a AcmeCerrado — pida que le llamemos");
    await open.click();
    const dialog = visitor.page.getByRole("dialog", { name: "Acme Plumbing Llame a Acme" });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByRole("status").first()).toHaveText("Cerrado por ahora");
    await expect(dialog).toContainText("Para emergencias llame al 555-0100.");
    await expect(dialog).not.toContainText("Emergencies");
    await expect(dialog).toContainText("Déjenos su número y le llamaremos.");
    await typeDetails(dialog);
    await axeDialog(visitor.page);
    await shots(visitor.page, testInfo, "es-closed", "light");
    await form(dialog).getByRole("button", { name: "Pedir que me llamen" }).click();
    await expect(dialog).toContainText("Gracias — le llamaremos.");
    expect(visitor.errors).toEqual([]);
    await Promise.all([visitor.context.close(), api.dispose()]);
  });
});

test.describe("a fixed language overrides the browser", () => {
  test("an English button stays English under es-US; a Spanish button is Spanish under en-US", async ({
    browser,
    playwright,
    server,
    site,
  }) => {
    const { api, button } = await accountWithButton(playwright, server);
    await trpc(api, "buttons.update", { id: button.id, fields: { ...buttonFields(), language: "en" } });
    const spanishBrowser = await party(browser);
    let dialog = await openDialog(spanishBrowser, site, button.publicId);
    await expect(dialog).toHaveAttribute("lang", "en-US");
    await expect(dialog.getByText("No one can take a call right now.")).toBeVisible();
    await expect(
      dialog.getByRole("form", { name: "Request a callback" }).getByLabel("Phone number"),
    ).toBeVisible();

    await trpc(api, "buttons.update", { id: button.id, fields: { ...buttonFields(), language: "es" } });
    // A fresh visitor (the browser keeps a config a minute), whose browser speaks American English.
    const englishBrowser = await party(browser, { locale: "en-US" });
    await englishBrowser.page.goto(site.url(button.publicId));
    expect(await englishBrowser.page.evaluate(() => navigator.language)).toBe("en-US");
    dialog = await openDialog(englishBrowser, site, button.publicId);
    await expect(dialog).toHaveAttribute("lang", "es-US");
    await expect(dialog.getByText("Nadie puede atender una llamada en este momento.")).toBeVisible();
    await expect(form(dialog).getByLabel("Número de teléfono")).toBeVisible();
    expect(spanishBrowser.errors).toEqual([]);
    expect(englishBrowser.errors).toEqual([]);
    await Promise.all([spanishBrowser.context.close(), englishBrowser.context.close(), api.dispose()]);
  });
});
