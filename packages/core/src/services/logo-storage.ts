import { buttons } from "@cac/db";
import { and, eq, isNotNull, ne } from "drizzle-orm";
import type { Ports } from "../ports";
import { type PlanTx, withinPlanLimits } from "./plan-limits";

/**
 * The logo storage an account uses: each distinct logo of its buttons once (a duplicated button
 * shares its original's file), leaving out the logo of `exceptButtonId`, which is being replaced.
 */
export async function logoStorageUsed(
  tx: PlanTx,
  accountId: string,
  exceptButtonId?: string,
): Promise<{ bytes: number; keys: Set<string> }> {
  const rows = await tx
    .selectDistinct({ key: buttons.logoKey, bytes: buttons.logoBytes })
    .from(buttons)
    .where(
      and(
        eq(buttons.accountId, accountId),
        isNotNull(buttons.logoKey),
        exceptButtonId ? ne(buttons.id, exceptButtonId) : undefined,
      ),
    );
  const keys = new Set<string>();
  let bytes = 0;
  for (const row of rows) {
    if (!row.key || keys.has(row.key)) continue;
    keys.add(row.key);
    bytes += row.bytes ?? 0;
  }
  return { bytes, keys };
}

/**
 * Deletes a logo file that no button uses any more, so replaced and removed logos free their
 * space. It runs under the account lock: every write that starts using a logo of this account
 * (an upload, a duplicate) takes the same lock, so none can start using it meanwhile. The check
 * looks at every account's buttons, since logos stored before keys were per account may be shared.
 */
export async function dropLogoIfUnused(
  deps: Pick<Ports, "db" | "storage">,
  accountId: string,
  key: string | null,
): Promise<void> {
  if (!key) return;
  await withinPlanLimits(deps, accountId, async ({ tx }) => {
    const [user] = await tx.select({ id: buttons.id }).from(buttons).where(eq(buttons.logoKey, key)).limit(1);
    if (!user) await deps.storage.delete(key);
  });
}
