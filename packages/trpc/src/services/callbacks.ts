import { type Button, callbackRequests } from "@cac/db";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Settings } from "../context";
import { emails } from "../email/templates";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { confirmedOwners } from "./owners";
import { returned } from "./rows";

export type CallbackInput = { name: string; phone: string; message?: string | undefined };

/** Stores a visitor's callback request and emails the account's owners. */
export async function requestCallback(
  deps: Pick<Ports, "db" | "mailer" | "log"> & { settings: Pick<Settings, "publicUrl"> },
  button: Button,
  input: CallbackInput,
  visitorIp: string,
) {
  const requestRows = await deps.db
    .insert(callbackRequests)
    .values({
      accountId: button.accountId,
      buttonId: button.id,
      name: input.name,
      phone: input.phone,
      message: input.message || null,
      ip: visitorIp,
    })
    .returning();
  const request = returned(requestRows, "callback request");
  const owners = await confirmedOwners(deps, button.accountId);
  const portalUrl = new URL("/callbacks", deps.settings.publicUrl).toString();
  for (const owner of owners) {
    await deps.mailer.send(
      emails.callbackRequest(owner.email, { buttonName: button.name, ...request }, portalUrl),
    );
  }
  return { ok: true as const };
}

export function listCallbackRequests(
  deps: Pick<Ports, "db">,
  accountId: string,
  options: { onlyOpen: boolean },
) {
  return deps.db
    .select({
      id: callbackRequests.id,
      buttonId: callbackRequests.buttonId,
      name: callbackRequests.name,
      phone: callbackRequests.phone,
      message: callbackRequests.message,
      handledAt: callbackRequests.handledAt,
      createdAt: callbackRequests.createdAt,
    })
    .from(callbackRequests)
    .where(
      and(
        eq(callbackRequests.accountId, accountId),
        options.onlyOpen ? isNull(callbackRequests.handledAt) : undefined,
      ),
    )
    .orderBy(desc(callbackRequests.createdAt))
    .limit(200);
}

export async function setCallbackHandled(
  deps: Pick<Ports, "db" | "clock">,
  accountId: string,
  id: string,
  handled: boolean,
) {
  const updated = await deps.db
    .update(callbackRequests)
    .set({ handledAt: handled ? deps.clock.now() : null })
    .where(and(eq(callbackRequests.id, id), eq(callbackRequests.accountId, accountId)))
    .returning({ id: callbackRequests.id });
  if (updated.length === 0) throw new AppError("NOT_FOUND", "This callback request does not exist.");
  return { ok: true as const };
}
