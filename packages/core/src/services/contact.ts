import { contactMessages } from "@cac/db";
import type { Context } from "../context";
import { ipKey } from "../domain/ip";
import { contactMessageEmail } from "../email/contact-message";
import { portalHostnames, requireCaptcha } from "./captcha";
import { returned } from "./rows";
import { throttle } from "./throttle";

export type ContactInput = {
  name: string;
  email: string;
  company?: string | undefined;
  website?: string | undefined;
  message: string;
  captchaToken?: string | undefined;
};

/** Where messages go: CONTACT_INBOX, else every operator; none means they are only stored. */
export function contactInboxes(ctx: Pick<Context, "settings">): string[] {
  return ctx.settings.contactInbox ? [ctx.settings.contactInbox] : ctx.settings.operatorEmails;
}

/**
 * The public contact form: throttled per IP and per sender address, captcha-checked, stored
 * with the sender's IP (abuse handling), then emailed to the inbox. A mail failure is logged
 * but does not lose the message, which is already stored.
 */
export async function sendContactMessage(ctx: Context, input: ContactInput) {
  await throttle(ctx, "contact.ip", ipKey(ctx.http.ip));
  await throttle(ctx, "contact.email", input.email);
  await requireCaptcha(ctx, input.captchaToken, {
    ip: ctx.http.ip,
    action: "contact",
    hostnames: portalHostnames(ctx),
  });
  const rows = await ctx.db
    .insert(contactMessages)
    .values({
      name: input.name,
      email: input.email,
      company: input.company ?? null,
      website: input.website ?? null,
      message: input.message,
      ip: ctx.http.ip,
      createdAt: ctx.clock.now(),
    })
    .returning();
  const stored = returned(rows, "contact message");
  const inboxes = contactInboxes(ctx);
  if (inboxes.length === 0) {
    ctx.log.warn(
      { contactMessageId: stored.id },
      "contact message stored but not emailed: set CONTACT_INBOX (or OPERATOR_EMAILS) to receive them",
    );
  }
  // Stored either way; a message the inbox did not get is logged by the mailer.
  for (const to of inboxes) {
    await ctx.mailer.send(
      contactMessageEmail(to, {
        name: stored.name,
        email: stored.email,
        company: stored.company,
        website: stored.website,
        message: stored.message,
        receivedAt: stored.createdAt,
      }),
    );
  }
  return { ok: true as const, email: stored.email };
}
