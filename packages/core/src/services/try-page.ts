import { buttons } from "@cac/db";
import { and, eq } from "drizzle-orm";
import type { HttpExchange, Settings } from "../context";
import { hasControlCharacter } from "../domain/validation";
import { AppError } from "../errors";
import type { Ports } from "../ports";

/**
 * A button's test page, `/try/<publicId>`: a plain page the product hosts with the button's
 * widget, so an owner can call themselves before the snippet is on their site. It is served only
 * to members of the button's account (a portal route), and it never frames (frame-ancestors
 * 'none'), so no other site can show it.
 */

/** A test call's time limit: it reserves nothing from the quota, so its length is fixed and short. */
export const TEST_CALL_MINUTES = 5;

export function tryPagePath(publicId: string): string {
  return `/try/${encodeURIComponent(publicId)}`;
}

/**
 * Whether a widget request comes from this button's own test page: sent by a page on the product's
 * origin (a browser sends the page's Origin on a POST and none on a same-origin GET; another site
 * can send neither) whose address (Referer; the page asks for it with `Referrer-Policy:
 * same-origin`) is exactly the test page of this button. Only then may the widget work outside the
 * button's allowed domains, and its calls are test calls. A customer's site never passes: its
 * Origin is its own.
 */
export function fromTryPage(
  settings: Pick<Settings, "publicUrl">,
  http: Pick<HttpExchange, "origin" | "referer">,
  publicId: string,
): boolean {
  const own = settings.publicUrl.origin;
  if (http.origin !== undefined && http.origin !== own) return false;
  return http.referer === `${own}${tryPagePath(publicId)}`;
}

/** The account's button a test page is for; another account's, or none, is not found. */
export async function tryPageButton(deps: Pick<Ports, "db">, accountId: string, publicId: string) {
  const [row] = hasControlCharacter(publicId)
    ? []
    : await deps.db
        .select({ publicId: buttons.publicId, name: buttons.name, enabled: buttons.enabled })
        .from(buttons)
        .where(and(eq(buttons.publicId, publicId), eq(buttons.accountId, accountId)))
        .limit(1);
  if (!row) throw new AppError("NOT_FOUND", "This call button was not found in your account.");
  return row;
}
