// Buttons for benchmarks: open all week, allowed on `allowedHost`.
import { newPublicId } from "@cac/core";
import { buttons, memberships, users } from "@cac/db";
import { eq } from "drizzle-orm";
import { alwaysOpen, validButton } from "../../apps/server/test/fixtures/buttons";
import { PORTAL_ORIGIN, type RealApp } from "./real-app";

export async function createBenchButton(app: RealApp, cookie: string, allowedHost: string): Promise<string> {
  const response = await fetch(`${app.url}/trpc/buttons.create`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL_ORIGIN, cookie },
    body: JSON.stringify({
      json: validButton({ name: "Bench", hours: alwaysOpen, allowedDomains: [allowedHost] }),
    }),
  });
  if (!response.ok) throw new Error(`buttons.create answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { result: { data: { json: { publicId: string } } } };
  return body.result.data.json.publicId;
}

/**
 * `count` buttons of the account written straight into the database (the API's plan limits would
 * stop at a few), each open all week and allowed on `allowedHost`; resolves with their public ids.
 */
export async function seedBenchButtons(
  app: RealApp,
  email: string,
  count: number,
  allowedHost: string,
): Promise<string[]> {
  const [owner] = await app.db.db
    .select({ accountId: memberships.accountId })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(eq(users.email, email));
  if (!owner) throw new Error(`no user ${email} to own the benchmark's buttons`);
  const fields = validButton({ name: "Bench", hours: alwaysOpen, allowedDomains: [allowedHost] });
  // Made yesterday: buttons in rotation are served, not being edited.
  const madeAt = new Date(Date.now() - 24 * 60 * 60 * 1000);
  const ids: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const rows = Array.from({ length: Math.min(500, count - start) }, (_, i) => ({
      ...fields,
      name: `Bench ${start + i}`,
      accountId: owner.accountId,
      publicId: newPublicId(),
      createdAt: madeAt,
      updatedAt: madeAt,
    }));
    await app.db.db.insert(buttons).values(rows);
    ids.push(...rows.map((row) => row.publicId));
  }
  return ids;
}
