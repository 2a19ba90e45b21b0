import { buttonOrigins, buttons } from "@cac/db";
import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import type { Settings } from "../../context";
import { isOriginAllowed } from "../../domain/allowed-domains";
import type { Ports } from "../../ports";
import { DEFAULT_BATCH, inBatches, type RetentionOptions, type RetentionResult } from "../retention/job-lock";

/** Origins a button keeps at most: a page forging Origin headers cannot grow the table past it. */
export const MAX_ORIGINS_PER_BUTTON = 100;
/** Origins not seen for this long are deleted (the install status is about recent loads). */
export const ORIGIN_RETENTION_DAYS = 30;

/** Loads of one button from one origin since the last flush, as one instance counted them. */
export type OriginSighting = { publicId: string; origin: string; allowed: number; refused: number };

/**
 * The page origin a widget load came from, reduced to scheme, host and port; null for anything
 * else (an opaque "null" origin, another scheme, a malformed value). Nothing of a path survives.
 */
export function pageOrigin(raw: string): string | null {
  if (raw.length > 300) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    return url.origin;
  } catch {
    return null;
  }
}

/**
 * Stores a batch of sightings in one statement, seen at `now`: a new origin gets a row (while its
 * button has fewer than MAX_ORIGINS_PER_BUTTON), a known one its last-seen time and refused count.
 * Sightings of a deleted button are dropped by the join. Rows are written in key order so two
 * instances flushing at once never deadlock.
 */
export async function recordOriginSightings(
  deps: Pick<Ports, "db">,
  sightings: readonly OriginSighting[],
  now: Date,
): Promise<void> {
  const rows = sightings
    .map((s) => ({ ...s, origin: pageOrigin(s.origin) }))
    .filter((s): s is OriginSighting => s.origin !== null && s.allowed + s.refused > 0)
    .map((s) => ({
      public_id: s.publicId,
      origin: s.origin,
      allowed_at: s.allowed > 0 ? now.toISOString() : null,
      refused: s.refused,
    }));
  if (rows.length === 0) return;
  const seen = now.toISOString();
  // New origins are numbered per button, so one batch cannot take a button past the cap either.
  await deps.db.execute(sql`
    with v as (
      select b.id as button_id, v.origin, v.allowed_at, v.refused,
        exists (select 1 from button_origins o where o.button_id = b.id and o.origin = v.origin) as known
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as v(public_id text, origin text, allowed_at timestamptz, refused int)
      join buttons b on b.public_id = v.public_id
    ), numbered as (
      select v.*,
        row_number() over (partition by v.button_id, v.known order by v.origin) as n,
        (select count(*) from button_origins o where o.button_id = v.button_id) as held
      from v
    )
    insert into button_origins (button_id, origin, last_seen_at, last_allowed_at, refused_count)
    select button_id, origin, ${seen}::timestamptz, allowed_at, refused
    from numbered
    where known or held + n <= ${MAX_ORIGINS_PER_BUTTON}
    order by button_id, origin
    on conflict (button_id, origin) do update set
      last_seen_at = greatest(button_origins.last_seen_at, excluded.last_seen_at),
      last_allowed_at = greatest(button_origins.last_allowed_at, excluded.last_allowed_at),
      refused_count = button_origins.refused_count + excluded.refused_count`);
}

export type InstallOrigin = { origin: string; host: string; lastSeenAt: Date; refusedCount: number };
export type ButtonInstall = {
  buttonId: string;
  /** Origins the button's allowed domains let through now, most recently seen first. */
  installed: InstallOrigin[];
  /** Origins seen but not allowed now, most refused first: each may be allowed in one click. */
  refused: InstallOrigin[];
};

const hostOf = (origin: string) => new URL(origin).hostname;

/**
 * Where each of the account's buttons was loaded from in the last 30 days. An origin is sorted by
 * the button's allowed domains as they are now, so allowing one moves it at once.
 */
export async function listInstalls(
  deps: Pick<Ports, "db"> & { settings: Pick<Settings, "production"> },
  accountId: string,
): Promise<ButtonInstall[]> {
  const rows = await deps.db
    .select({
      buttonId: buttons.id,
      allowedDomains: buttons.allowedDomains,
      origin: buttonOrigins.origin,
      lastSeenAt: buttonOrigins.lastSeenAt,
      refusedCount: buttonOrigins.refusedCount,
    })
    .from(buttons)
    .leftJoin(buttonOrigins, eq(buttonOrigins.buttonId, buttons.id))
    .where(eq(buttons.accountId, accountId))
    .orderBy(asc(buttons.createdAt), desc(buttonOrigins.lastSeenAt));
  const byButton = new Map<string, ButtonInstall>();
  for (const row of rows) {
    let install = byButton.get(row.buttonId);
    if (!install) {
      install = { buttonId: row.buttonId, installed: [], refused: [] };
      byButton.set(row.buttonId, install);
    }
    if (row.origin === null || row.lastSeenAt === null) continue;
    const entry = {
      origin: row.origin,
      host: hostOf(row.origin),
      lastSeenAt: row.lastSeenAt,
      refusedCount: row.refusedCount ?? 0,
    };
    if (isOriginAllowed(row.origin, row.allowedDomains, deps.settings.production))
      install.installed.push(entry);
    else install.refused.push(entry);
  }
  for (const install of byButton.values()) install.refused.sort((a, b) => b.refusedCount - a.refusedCount);
  return [...byButton.values()];
}

export function originRetentionCutoff(now: Date): Date {
  return new Date(now.getTime() - ORIGIN_RETENTION_DAYS * 24 * 60 * 60 * 1000);
}

/** Deletes the origins not seen for 30 days, in batches, under the job's lock. */
export async function purgeOldOrigins(
  deps: Pick<Ports, "db" | "clock">,
  options: RetentionOptions = {},
): Promise<RetentionResult<{ originsDeleted: number }>> {
  const batch = options.batchSize ?? DEFAULT_BATCH;
  const cutoff = originRetentionCutoff(deps.clock.now());
  const counts = { originsDeleted: 0 };
  const ran = await inBatches(
    deps.db,
    "button-origins",
    batch,
    async (tx) => {
      const due = tx
        .select({ buttonId: buttonOrigins.buttonId, origin: buttonOrigins.origin })
        .from(buttonOrigins)
        .where(lt(buttonOrigins.lastSeenAt, cutoff))
        .limit(batch);
      const deleted = await tx
        .delete(buttonOrigins)
        .where(
          and(
            lt(buttonOrigins.lastSeenAt, cutoff),
            sql`(${buttonOrigins.buttonId}, ${buttonOrigins.origin}) in (${due})`,
          ),
        )
        .returning({ origin: buttonOrigins.origin });
      return deleted.length;
    },
    (n) => {
      counts.originsDeleted += n;
    },
  );
  return { outcome: ran ? "done" : "skipped", counts };
}
