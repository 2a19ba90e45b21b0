import { randomBytes } from "node:crypto";
import { accounts, type Button, buttons } from "@cac/db";
import { and, asc, eq } from "drizzle-orm";
import type { ButtonFields } from "../domain/button-fields";
import { hasControlCharacter } from "../domain/validation";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { dropLogoIfUnused } from "./logo-storage";
import { hasConfirmedOwner } from "./owners";
import { assertCanRingPhone, withinPlanLimits } from "./plan-limits";
import { returned } from "./rows";

/** An unguessable public id (96 random bits), separate from the database key. */
export function newPublicId(): string {
  return `b_${randomBytes(12).toString("base64url")}`;
}

/** Every change drops the button's public config everywhere (ports.ts), so it shows at once. */
type Deps = Pick<Ports, "db" | "clock" | "publicConfig">;

export function listButtons(deps: Pick<Ports, "db">, accountId: string) {
  return deps.db
    .select()
    .from(buttons)
    .where(eq(buttons.accountId, accountId))
    .orderBy(asc(buttons.createdAt));
}

/** A button of this account, or NOT_FOUND (also for another account's button). */
export async function getButton(deps: Pick<Ports, "db">, accountId: string, id: string): Promise<Button> {
  const [row] = await deps.db
    .select()
    .from(buttons)
    .where(and(eq(buttons.id, id), eq(buttons.accountId, accountId)));
  if (!row) throw new AppError("NOT_FOUND", "This button does not exist or was deleted.");
  return row;
}

/** A button as the widget tiers see it: with whether its account's email is confirmed. */
export type PublicButton = Button & { accountVerified: boolean };
/** With the account's company name, which the widget's header shows. */
export type NamedPublicButton = PublicButton & { businessName: string };

/**
 * The button behind a widget; none for a closed account, so its buttons take no calls. An id with
 * control characters (from a URL path, which no schema checked) names no button.
 * `accountVerified`: an owner of the account confirmed their email address (until then its
 * buttons are in test mode).
 */
export async function findButtonByPublicId(
  deps: Pick<Ports, "db">,
  publicId: string,
): Promise<NamedPublicButton | undefined> {
  if (hasControlCharacter(publicId)) return undefined;
  const [row] = await deps.db
    .select({
      button: buttons,
      accountVerified: hasConfirmedOwner(buttons.accountId),
      businessName: accounts.companyName,
    })
    .from(buttons)
    .innerJoin(accounts, eq(accounts.id, buttons.accountId))
    .where(and(eq(buttons.publicId, publicId), eq(accounts.status, "active")))
    .limit(1);
  return row
    ? { ...row.button, accountVerified: Boolean(row.accountVerified), businessName: row.businessName }
    : undefined;
}

export async function createButton(deps: Deps, accountId: string, fields: ButtonFields): Promise<Button> {
  const row = await withinPlanLimits(deps, accountId, async ({ tx, plan, claim }) => {
    if (fields.enabled) await claim("enabledButtons");
    if (fields.phoneNumber) assertCanRingPhone(plan);
    const rows = await tx
      .insert(buttons)
      .values({ ...fields, accountId, publicId: newPublicId() })
      .returning();
    return returned(rows, "button");
  });
  await deps.publicConfig.forget([row.publicId]);
  return row;
}

export async function updateButton(
  deps: Deps,
  accountId: string,
  id: string,
  fields: ButtonFields,
): Promise<Button> {
  const row = await withinPlanLimits(deps, accountId, async ({ tx, plan, claim }) => {
    const current = await getButton({ db: tx }, accountId, id);
    // Only newly enabling or newly adding a phone is checked, so an account over its limit after a
    // downgrade can still edit what it has.
    if (fields.enabled && !current.enabled) await claim("enabledButtons", id);
    if (fields.phoneNumber && fields.phoneNumber !== current.phoneNumber) assertCanRingPhone(plan);
    const rows = await tx
      .update(buttons)
      .set({
        ...fields,
        disabledReason: fields.enabled ? null : current.disabledReason,
        updatedAt: deps.clock.now(),
      })
      .where(and(eq(buttons.id, id), eq(buttons.accountId, accountId)))
      .returning();
    return returned(rows, "button");
  });
  await deps.publicConfig.forget([row.publicId]);
  return row;
}

export async function setButtonEnabled(deps: Deps, accountId: string, id: string, enabled: boolean) {
  const row = await withinPlanLimits(deps, accountId, async ({ tx, claim }) => {
    const current = await getButton({ db: tx }, accountId, id);
    if (enabled && !current.enabled) await claim("enabledButtons", id);
    const rows = await tx
      .update(buttons)
      .set({ enabled, disabledReason: null, updatedAt: deps.clock.now() })
      .where(and(eq(buttons.id, id), eq(buttons.accountId, accountId)))
      .returning();
    return returned(rows, "button");
  });
  await deps.publicConfig.forget([row.publicId]);
  return row;
}

/**
 * A copy with a new public id; it starts disabled so it never goes live by surprise. It shares the
 * original's logo file, so it is made under the account lock (see dropLogoIfUnused).
 */
export async function duplicateButton(deps: Deps, accountId: string, id: string): Promise<Button> {
  const row = await withinPlanLimits(deps, accountId, async ({ tx }) => {
    const source = await getButton({ db: tx }, accountId, id);
    const { id: _id, publicId: _p, createdAt: _c, updatedAt: _u, ...rest } = source;
    const rows = await tx
      .insert(buttons)
      .values({
        ...rest,
        name: `${source.name} (copy)`.slice(0, 80),
        enabled: false,
        disabledReason: null,
        publicId: newPublicId(),
      })
      .returning();
    return returned(rows, "button");
  });
  await deps.publicConfig.forget([row.publicId]);
  return row;
}

/** Deletes the button, and its logo file when no other button uses it. */
export async function deleteButton(
  deps: Pick<Ports, "db" | "storage" | "publicConfig">,
  accountId: string,
  id: string,
) {
  const deleted = await deps.db
    .delete(buttons)
    .where(and(eq(buttons.id, id), eq(buttons.accountId, accountId)))
    .returning({ id: buttons.id, publicId: buttons.publicId, logoKey: buttons.logoKey });
  if (deleted.length === 0) throw new AppError("NOT_FOUND", "This button does not exist or was deleted.");
  for (const row of deleted) {
    await deps.publicConfig.forget([row.publicId]);
    await dropLogoIfUnused(deps, accountId, row.logoKey);
  }
  return { ok: true as const };
}
