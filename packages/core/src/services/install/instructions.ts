import type { Context } from "../../context";
import {
  type EmbedPlatform,
  embedGuides,
  type WidgetNeeds,
  widgetCspDirectives,
} from "../../domain/embed-guides";
import { render } from "../../email/templates";
import { toButtonView } from "../button-view";
import { getButton } from "../buttons";
import { throttle } from "../throttle";

export type InstructionsRequest = {
  buttonId: string;
  to: string;
  platform: EmbedPlatform;
  note?: string | undefined;
};
export type InstructionsSender = {
  accountId: string;
  userId: string;
  name: string;
  email: string;
  companyName: string;
};

/** The email a developer receives: who asked, the snippet, the steps for their platform, the CSP note. */
export function installInstructionsEmail(
  to: string,
  sender: Pick<InstructionsSender, "name" | "email" | "companyName">,
  snippet: string,
  platform: EmbedPlatform,
  widgetOrigin: string,
  needs: WidgetNeeds,
  note?: string,
) {
  const guide = embedGuides.find((g) => g.id === platform) ?? embedGuides[0];
  const steps = guide?.steps.map((step, i) => `${i + 1}. ${step}`).join("\n") ?? "";
  return render(to, `${sender.name} asked you to add a call button to ${sender.companyName}'s website`, [
    `${sender.name} (${sender.email}) of ${sender.companyName} sent you these instructions from Click & Call, to add their call button to their website.`,
    ...(note ? [`Their note: ${note}`] : []),
    `The snippet:\n${snippet}`,
    `Where it goes (${guide?.label ?? "HTML"}):\n${steps}`,
    `If the site sends a Content-Security-Policy header, add these directives to it:\n${widgetCspDirectives(widgetOrigin, needs).join(";\n")}`,
    `Reply to ${sender.email} with any question. If you did not expect this email, you can ignore it.`,
  ]);
}

/**
 * Emails the install instructions of one of the account's buttons to a developer. Limited per
 * account and per user (each sends an email to an address the portal typed), through the email
 * queue like every message.
 */
export async function emailInstallInstructions(
  ctx: Pick<Context, "db" | "limiter" | "limits" | "mailer" | "settings" | "captcha" | "voice">,
  sender: InstructionsSender,
  request: InstructionsRequest,
): Promise<{ ok: true }> {
  const button = await getButton(ctx, sender.accountId, request.buttonId);
  await throttle(ctx, "install-email.user", sender.userId);
  await throttle(ctx, "install-email.account", sender.accountId);
  const view = toButtonView(ctx.settings, button);
  const needs = { twilio: ctx.voice.mode === "twilio", turnstile: ctx.captcha.mode === "turnstile" };
  await ctx.mailer.send(
    installInstructionsEmail(
      request.to,
      sender,
      view.snippet,
      request.platform,
      ctx.settings.publicUrl.origin,
      needs,
      request.note,
    ),
  );
  return { ok: true };
}
