import type { MailMessage } from "../ports";

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A paragraph's words, escaped; its line breaks (e.g. in a visitor's message) are kept. */
function paragraphHtml(value: string): string {
  return escapeHtml(value).replace(/\r?\n/g, "<br>");
}

/**
 * A subject is one line: line breaks and other control characters (which a visitor's name could
 * carry into "Callback request from …") become spaces, and it is kept short.
 */
function oneLine(value: string): string {
  const line = value
    .replace(/[\p{Cc}\u2028\u2029]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return line.length > 150 ? `${line.slice(0, 149)}…` : line;
}

/**
 * One layout for every message: an HTML part and the same words as plain text. Every value is
 * escaped in the HTML, so names and messages typed by visitors or users show as typed.
 */
export function render(
  to: string,
  subject: string,
  paragraphs: string[],
  action?: { label: string; url: string },
) {
  const text = [...paragraphs, ...(action ? [`${action.label}: ${action.url}`] : []), "— Click & Call"].join(
    "\n\n",
  );
  const html = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(oneLine(subject))}</title></head><body>`,
    `<div style="font-family:system-ui,sans-serif;max-width:560px;margin:auto;color:#1a1a2e">`,
    ...paragraphs.map((p) => `<p>${paragraphHtml(p)}</p>`),
    action
      ? `<p><a href="${escapeHtml(action.url)}" style="display:inline-block;padding:10px 16px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none">${escapeHtml(action.label)}</a></p>`
      : "",
    `<p style="color:#555">— Click &amp; Call</p></div></body></html>`,
  ].join("");
  return { to, subject: oneLine(subject), text, html } satisfies MailMessage;
}

/** A date as the account reads it, e.g. "Monday, March 2, 2026". */
function formatDay(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", { dateStyle: "full", timeZone }).format(date);
}

/** A moment as the account reads it, e.g. "Mar 2, 2026, 3:04 PM EST". */
function formatMoment(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-US", {
    // dateStyle/timeStyle cannot be combined with timeZoneName, so the parts are spelled out.
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone,
    timeZoneName: "short",
  }).format(date);
}

/**
 * The language the widget spoke to a visitor, named for the owner; none for English (the default,
 * so an English request reads as before) or when the widget did not say.
 */
export function visitorLanguageName(language: string | null | undefined): string | null {
  return language === "es" ? "Spanish" : null;
}

export const emails = {
  verifyEmail: (to: string, name: string, url: string) =>
    render(
      to,
      "Confirm your email for Click & Call",
      [
        `Hi ${name},`,
        "Confirm your email address to finish setting up your Click & Call account. The link works for 24 hours.",
      ],
      { label: "Confirm email", url },
    ),
  signupAttemptOnExisting: (to: string, loginUrl: string, resetUrl: string) =>
    render(to, "Someone tried to sign up with your email", [
      "Someone tried to create a Click & Call account with this email address, which already has an account.",
      `If it was you, log in at ${loginUrl}, or reset your password at ${resetUrl}.`,
      "If it was not you, you can ignore this message.",
    ]),
  invitation: (to: string, inviter: string, companyName: string, role: string, url: string) =>
    render(
      to,
      `${inviter} invited you to ${companyName} on Click & Call`,
      [
        `${inviter} invited you to join ${companyName} on Click & Call as ${role === "admin" ? "an admin" : `an ${role}`}.`,
        "Accept to answer the calls of its website visitors in your browser. The link works once, for 7 days.",
        "If you did not expect this, ignore this message: nothing happens unless you accept.",
      ],
      { label: "Accept the invitation", url },
    ),
  resetPassword: (to: string, url: string) =>
    render(
      to,
      "Reset your Click & Call password",
      [
        "We received a request to reset your password. The link works once, for one hour.",
        "If you did not ask for this, ignore this message: your password stays the same.",
      ],
      { label: "Choose a new password", url },
    ),
  passwordChanged: (to: string) =>
    render(to, "Your Click & Call password was changed", [
      "Your password was just changed and your other sessions were logged out.",
      "If this was not you, reset your password right away and contact us.",
    ]),
  callbackRequest: (
    to: string,
    request: {
      buttonName: string;
      name: string;
      phone: string;
      message: string | null;
      language?: string | null;
    },
    portalUrl: string,
  ) =>
    render(
      to,
      `Callback request from ${request.name}`,
      [
        `${request.name} asked to be called back at ${request.phone}, through your button "${request.buttonName}".`,
        ...(request.message ? [`Their message: ${request.message}`] : []),
        ...(visitorLanguageName(request.language)
          ? [`Language: ${visitorLanguageName(request.language)}`]
          : []),
      ],
      { label: "See callback requests", url: portalUrl },
    ),
  /** Several requests on one button since its last email: how many, and the first few. */
  callbackDigest: (
    to: string,
    digest: {
      buttonName: string;
      count: number;
      listed: Array<{ name: string; phone: string; message: string | null; language?: string | null }>;
      windowMinutes: number;
    },
    portalUrl: string,
  ) =>
    render(
      to,
      `${digest.count} callback requests on "${digest.buttonName}"`,
      [
        `${digest.count} visitors asked to be called back through your button "${digest.buttonName}" since our last email about it.`,
        digest.listed
          .map((r) => {
            const language = visitorLanguageName(r.language);
            return `• ${r.name}, ${r.phone}${language ? ` (${language})` : ""}${r.message ? `: ${r.message.replace(/\s+/g, " ")}` : ""}`;
          })
          .join("\n"),
        ...(digest.count > digest.listed.length
          ? [`And ${digest.count - digest.listed.length} more in the portal.`]
          : []),
        `Every request is in the portal. We email at most once every ${digest.windowMinutes} minutes per button.`,
      ],
      { label: "See callback requests", url: portalUrl },
    ),
  paymentFailed: (
    to: string,
    payment: { planName: string; amount: string; nextAttempt: string | null; invoiceUrl: string | null },
    billingUrl: string,
  ) =>
    render(
      to,
      "Your Click & Call payment didn't go through",
      [
        `We couldn't collect ${payment.amount} for your ${payment.planName} plan.`,
        payment.nextAttempt
          ? `We'll try again on ${payment.nextAttempt}. Until then your plan stays as it is; if the payment keeps failing, the subscription ends and your account moves to the Free plan.`
          : "Stripe will not try this payment again. Please update your payment method, or your subscription ends and your account moves to the Free plan.",
        ...(payment.invoiceUrl ? [`You can pay the invoice directly at ${payment.invoiceUrl}`] : []),
      ],
      { label: "Update payment method", url: billingUrl },
    ),
  planDowngraded: (
    to: string,
    change: {
      fromPlan: string;
      toPlan: string;
      subscriptionEnded: boolean;
      buttonsAllowed: number;
      disabledButtons: string[];
    },
    billingUrl: string,
  ) =>
    render(
      to,
      `Your Click & Call account is now on the ${change.toPlan} plan`,
      [
        change.subscriptionEnded
          ? `Your ${change.fromPlan} subscription has ended, so your account is now on the ${change.toPlan} plan.`
          : `Your account has moved from the ${change.fromPlan} plan to the ${change.toPlan} plan.`,
        ...(change.disabledButtons.length
          ? [
              `The ${change.toPlan} plan allows ${change.buttonsAllowed} active button${change.buttonsAllowed === 1 ? "" : "s"}, so we turned off the newest: ${change.disabledButtons.map((name) => `"${name}"`).join(", ")}. They are not deleted: turn them back on after upgrading, or swap which one is active.`,
            ]
          : []),
        "Your call history and settings are kept.",
      ],
      { label: "See plans", url: billingUrl },
    ),
  accountClosing: (to: string, name: string, deletionDate: Date, reopenUrl: string, timeZone = "UTC") =>
    render(
      to,
      "Your Click & Call account is closed",
      [
        `Hi ${name},`,
        "Your Click & Call account is closed. Your call buttons no longer take calls. You can still log in, to download your data or to reopen the account.",
        `On ${formatDay(deletionDate, timeZone)} we will delete the account and its personal data: your profile, team members, call buttons, call history and callback requests. Billing records (amounts, dates, subscription status) are kept for accounting.`,
        "Changed your mind? Reopen the account before that date and everything is as you left it.",
      ],
      { label: "Reopen my account", url: reopenUrl },
    ),
  accountDeleted: (to: string, name: string) =>
    render(to, "Your Click & Call account was deleted", [
      `Hi ${name},`,
      "Your Click & Call account and its personal data have been deleted, as you asked when you closed it.",
      "We keep only billing records (amounts, dates, subscription status), which we need for accounting.",
      "Thank you for using Click & Call. You are welcome back any time.",
    ]),
  missedCall: (to: string, details: { buttonLabel: string; at: Date; timezone: string; callsUrl: string }) =>
    render(
      to,
      `Missed call on "${details.buttonLabel}"`,
      [
        `A visitor called through your button "${details.buttonLabel}" on ${formatMoment(details.at, details.timezone)}, and nobody answered.`,
        "Calls ring wherever you answer them: keep the portal open in a browser tab to catch the next one.",
      ],
      { label: "See calls", url: details.callsUrl },
    ),
  dailySummary: (
    to: string,
    details: {
      companyName: string;
      day: Date;
      timezone: string;
      calls: number;
      answered: number;
      missed: number;
      callbacks: number;
      callsUrl: string;
    },
  ) =>
    render(
      to,
      `${details.companyName}: ${details.calls} ${details.calls === 1 ? "call" : "calls"}, ${details.missed} missed (${formatDay(details.day, details.timezone)})`,
      [
        `Yesterday, ${formatDay(details.day, details.timezone)}, at ${details.companyName}:`,
        [
          `Calls: ${details.calls}`,
          `Answered: ${details.answered}`,
          `Missed: ${details.missed}`,
          `Callback requests: ${details.callbacks}`,
        ].join("\n"),
        "You receive this summary every morning because you turned it on in the portal's notification settings; turn it off there.",
      ],
      { label: "See calls", url: details.callsUrl },
    ),
};
