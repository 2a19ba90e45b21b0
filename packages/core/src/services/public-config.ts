import { createHash } from "node:crypto";
import { buttons } from "@cac/db";
import { gte } from "drizzle-orm";
import type { Settings } from "../context";
import { isOriginAllowed } from "../domain/allowed-domains";
import type { PublicButtonConfig } from "../domain/public-config";
import { openWindows } from "../domain/schedule";
import type { Ports, PublicConfigEntry } from "../ports";
import { findButtonByPublicId, type NamedPublicButton } from "./buttons";

const HOUR = 60 * 60 * 1000;
/** Days of open windows sent to the widget; enough to show "back Monday" after a long weekend. */
const WINDOW_DAYS = 8;

export type PublicConfigDeps = Pick<Ports, "db" | "clock" | "publicConfig"> &
  Partial<Pick<Ports, "captcha">> & { settings: Pick<Settings, "publicUrl" | "production"> };

export type PublicConfigResult =
  | { status: 404; body: { error: string } }
  | { status: 403; body: { error: string; host: string | null; reason?: "unverified" } }
  | { status: 200; json: string; etag: string; allowOrigin: string | null };

/** What a request checks and serves: a kept entry, or a button in test mode read afresh. */
type Served = { verified: boolean; allowedDomains: readonly string[]; json: string; etag: string };

/** The body of a button for the hour starting at `from`, serialized, with its ETag. */
function serialize(
  button: NamedPublicButton,
  from: number,
  apiOrigin: string,
  captchaSiteKey: string | null,
) {
  const schedule = { timezone: button.timezone, hours: button.hours, holidays: button.holidays };
  const body: PublicButtonConfig = {
    id: button.publicId,
    label: button.label,
    businessName: button.businessName,
    style: button.style,
    logoUrl: button.logoKey ? `${apiOrigin}/uploads/${button.logoKey}` : null,
    timezone: button.timezone,
    hours: button.hours,
    holidays: button.holidays,
    closedBehavior: button.closedBehavior,
    theme: button.theme,
    conversionEvents: button.conversionEvents,
    language: button.language,
    texts: button.texts,
    openWindows: openWindows(schedule, from, WINDOW_DAYS).map((w) => ({
      opens: w.opens.toISOString(),
      closes: w.closes ? w.closes.toISOString() : null,
    })),
    callable: button.ringPortal || button.phoneNumber !== null,
    apiOrigin,
    captchaSiteKey,
    collectContext: button.collectContext,
  };
  const json = JSON.stringify(body);
  const etag = `"${createHash("sha256").update(json).digest("base64url").slice(0, 27)}"`;
  return { json, etag };
}

/**
 * The body's shape, part of every kept entry's context: an entry serialized by a release that wrote
 * other fields (before the widget's languages, say) no longer fits, and is read afresh.
 */
const BODY_FORMAT = "languages";

const fits = (entry: PublicConfigEntry, hour: number, context: string) =>
  entry.hour === hour && entry.context === context;

/**
 * The button behind a public id as served now: this instance's entry, else the shared one, else
 * read from the database and kept (when it is live). Null when no live button has this id.
 * A button in test mode is never kept, so it goes live on customers' sites as soon as its owner
 * confirms their email.
 */
async function served(deps: PublicConfigDeps, publicId: string): Promise<Served | null> {
  const apiOrigin = deps.settings.publicUrl.origin;
  const captchaSiteKey = deps.captcha?.siteKey ?? null;
  const hour = Math.floor(deps.clock.now().getTime() / HOUR) * HOUR;
  const context = `${BODY_FORMAT} ${apiOrigin} ${captchaSiteKey ?? ""}`;
  const local = deps.publicConfig.peek(publicId);
  if (local === null) return null;
  if (local && fits(local, hour, context)) return { verified: true, ...local };
  const shared = await deps.publicConfig.load(publicId);
  if (shared && fits(shared, hour, context)) return { verified: true, ...shared };

  const button = await findButtonByPublicId(deps, publicId);
  if (!button?.enabled) {
    await deps.publicConfig.keep(publicId, null);
    return null;
  }
  const { json, etag } = serialize(button, hour, apiOrigin, captchaSiteKey);
  const { allowedDomains } = button;
  if (button.accountVerified) {
    const version = button.updatedAt.getTime();
    await deps.publicConfig.keep(publicId, { version, hour, context, allowedDomains, json, etag });
  }
  return { verified: button.accountVerified, allowedDomains, json, etag };
}

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).hostname;
  } catch {
    return null;
  }
}

/**
 * The widget's view of a button. Windows start at the current hour so the body (and its ETag)
 * stays the same for an hour and caches well. A kept body is served with no database work: only
 * the page's Origin is checked per request.
 */
export async function getPublicConfig(
  deps: PublicConfigDeps,
  publicId: string,
  origin: string | undefined,
): Promise<PublicConfigResult> {
  const button = await served(deps, publicId);
  if (!button) {
    return { status: 404, body: { error: "This call button does not exist or is turned off." } };
  }
  // A request without Origin is not a browser page embedding the button (e.g. a link preview).
  if (origin !== undefined) {
    // Test mode until the account's email is confirmed: the portal's own pages only.
    if (!button.verified && origin !== deps.settings.publicUrl.origin) {
      return {
        status: 403,
        body: {
          error: "This call button is in test mode until its owner confirms their email address.",
          host: hostOf(origin),
          reason: "unverified",
        },
      };
    }
    if (button.verified && !isOriginAllowed(origin, button.allowedDomains, deps.settings.production)) {
      return {
        status: 403,
        body: { error: "This call button is not allowed on this website.", host: hostOf(origin) },
      };
    }
  }
  return { status: 200, json: button.json, etag: button.etag, allowOrigin: origin ?? null };
}

/**
 * How far back each sweep looks: changes commit in any order, so a sweep looks again at what the
 * last ones saw, and acts on a change it has not acted on twice yet.
 */
export const PUBLIC_CONFIG_SWEEP_LOOKBACK_MS = 2 * 60 * 1000;

/**
 * The safety net behind `publicConfig.forget` (ports.ts), run every few seconds on every instance:
 * drops the entries of buttons changed recently (by their `updated_at`) when they were made from
 * another version. It catches the changes made without forgetting (a plan downgrade's webhook
 * turning buttons off), a forget message this instance missed, and an entry kept by a request
 * that read the button just before it changed. Each change is acted on in two sweeps (the second
 * for an entry kept while the first ran), then no more: the cost follows the edits, not the buttons.
 */
export function publicConfigSweeper(deps: Pick<Ports, "db" | "clock" | "publicConfig">) {
  let acted = new Map<string, { version: number; times: number }>();
  return async function sweep() {
    const since = new Date(deps.clock.now().getTime() - PUBLIC_CONFIG_SWEEP_LOOKBACK_MS);
    const rows = await deps.db
      .select({ publicId: buttons.publicId, updatedAt: buttons.updatedAt })
      .from(buttons)
      .where(gte(buttons.updatedAt, since));
    const next = new Map<string, { version: number; times: number }>();
    const changes: Array<{ publicId: string; version: number }> = [];
    for (const row of rows) {
      const version = row.updatedAt.getTime();
      const before = acted.get(row.publicId);
      const times = before?.version === version ? before.times : 0;
      if (times < 2) changes.push({ publicId: row.publicId, version });
      next.set(row.publicId, { version, times: Math.min(2, times + 1) });
    }
    acted = next;
    await deps.publicConfig.expire(changes);
    return { changed: changes.length };
  };
}
