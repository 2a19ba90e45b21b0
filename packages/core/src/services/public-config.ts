import { createHash } from "node:crypto";
import type { Settings } from "../context";
import { isOriginAllowed } from "../domain/allowed-domains";
import type { PublicButtonConfig } from "../domain/public-config";
import { openWindows } from "../domain/schedule";
import type { Ports } from "../ports";
import { findButtonByPublicId, type PublicButton } from "./buttons";

const HOUR = 60 * 60 * 1000;
/** Days of open windows sent to the widget; enough to show "back Monday" after a long weekend. */
const WINDOW_DAYS = 8;

/**
 * Bodies by button version and hour: the windows only change when the button is edited or the
 * hour turns, and computing them reads the timezone rules many times.
 */
const bodies = new Map<string, { body: PublicButtonConfig; json: string; etag: string }>();
const MAX_CACHED_BODIES = 2000;

/**
 * Buttons looked up by public id in the last few seconds. Widgets on busy sites ask for the same
 * button constantly; an edit shows within BUTTON_TTL_MS (HTTP caches hold it 60 s anyway).
 */
const BUTTON_TTL_MS = 5000;
const recentButtons = new Map<string, { at: number; button: PublicButton | undefined }>();

/** Drops a button from this instance's cache after an edit, so the change shows at once here. */
export function forgetPublicButton(publicId: string) {
  recentButtons.delete(publicId);
}

async function lookUpButton(deps: Pick<Ports, "db">, publicId: string): Promise<PublicButton | undefined> {
  const now = Date.now();
  const hit = recentButtons.get(publicId);
  // A button in test mode is looked up afresh each time, so it goes live on customers' sites as
  // soon as its owner confirms their email.
  if (hit && now - hit.at < BUTTON_TTL_MS && hit.button?.accountVerified !== false) return hit.button;
  const button = await findButtonByPublicId(deps, publicId);
  if (recentButtons.size >= MAX_CACHED_BODIES)
    recentButtons.delete(recentButtons.keys().next().value as string);
  recentButtons.set(publicId, { at: now, button });
  return button;
}

export type PublicConfigResult =
  | { status: 404; body: { error: string } }
  | { status: 403; body: { error: string; host: string | null; reason?: "unverified" } }
  | { status: 200; body: PublicButtonConfig; json: string; etag: string; allowOrigin: string | null };

/**
 * The widget's view of a button. Windows start at the current hour so the body (and its ETag)
 * stays the same for an hour and caches well.
 */
export async function getPublicConfig(
  deps: Pick<Ports, "db" | "clock"> &
    Partial<Pick<Ports, "captcha">> & { settings: Pick<Settings, "publicUrl" | "production"> },
  publicId: string,
  origin: string | undefined,
): Promise<PublicConfigResult> {
  const button = await lookUpButton(deps, publicId);
  if (!button?.enabled) {
    return { status: 404, body: { error: "This call button does not exist or is turned off." } };
  }
  // A request without Origin is not a browser page embedding the button (e.g. a link preview).
  if (origin !== undefined) {
    let host: string | null = null;
    try {
      host = new URL(origin).hostname;
    } catch {}
    // Test mode until the account's email is confirmed: the portal's own pages only.
    if (!button.accountVerified && origin !== deps.settings.publicUrl.origin) {
      return {
        status: 403,
        body: {
          error: "This call button is in test mode until its owner confirms their email address.",
          host,
          reason: "unverified",
        },
      };
    }
    if (button.accountVerified && !isOriginAllowed(origin, button.allowedDomains, deps.settings.production)) {
      return { status: 403, body: { error: "This call button is not allowed on this website.", host } };
    }
  }
  const apiOrigin = deps.settings.publicUrl.origin;
  const from = Math.floor(deps.clock.now().getTime() / HOUR) * HOUR;
  const captchaSiteKey = deps.captcha?.siteKey ?? null;
  const key = `${button.id}:${button.updatedAt.getTime()}:${from}:${apiOrigin}:${captchaSiteKey}`;
  let cached = bodies.get(key);
  if (!cached) {
    const schedule = { timezone: button.timezone, hours: button.hours, holidays: button.holidays };
    const body: PublicButtonConfig = {
      id: button.publicId,
      label: button.label,
      style: button.style,
      logoUrl: button.logoKey ? `${apiOrigin}/uploads/${button.logoKey}` : null,
      timezone: button.timezone,
      hours: button.hours,
      holidays: button.holidays,
      closedBehavior: button.closedBehavior,
      openWindows: openWindows(schedule, from, WINDOW_DAYS).map((w) => ({
        opens: w.opens.toISOString(),
        closes: w.closes ? w.closes.toISOString() : null,
      })),
      callable: button.ringPortal || button.phoneNumber !== null,
      apiOrigin,
      captchaSiteKey,
    };
    const json = JSON.stringify(body);
    const etag = `"${createHash("sha256").update(json).digest("base64url").slice(0, 27)}"`;
    cached = { body, json, etag };
    if (bodies.size >= MAX_CACHED_BODIES) bodies.delete(bodies.keys().next().value as string);
    bodies.set(key, cached);
  }
  return { status: 200, ...cached, allowOrigin: origin ?? null };
}
