import { type Clock, type Logger, type OriginSighting, type Ports, recordOriginSightings } from "@cac/core";
import { runEvery } from "../jobs/every";

/** How often an instance writes the origins it saw: one statement per flush, whatever the load. */
export const ORIGIN_FLUSH_MS = 5000;
/** Distinct (button, origin) pairs held between flushes; past it new pairs wait for the next one. */
const MAX_PENDING = 10_000;
/**
 * An allowed pair once written is not counted again for this many flushes (a minute): its "last
 * seen" may be a minute old, and a busy site costs one row write a minute, not one per flush.
 * Refused loads are always counted (their number is shown).
 */
const QUIET_FLUSHES = 12;

export type OriginLog = {
  /** Counts one widget load (the hot path: a map lookup, no I/O, no allocation for a known pair). */
  note(publicId: string, origin: string, allowed: boolean): void;
  /** Writes what was counted since the last flush. */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer and writes what is left (before the database closes). */
  close(): Promise<void>;
};

/**
 * The install status's writer: widget config requests are counted in memory per (button, origin)
 * and written every few seconds in one upsert, so the config route, served from memory, stays
 * free of database writes; an allowed pair is written at most once a minute. A flush that fails is logged and its counts dropped: the status is a
 * hint, and the next load of the same site writes it again.
 */
export function createOriginLog(deps: Pick<Ports, "db"> & { clock: Clock; log: Logger }): OriginLog {
  // By button, then by origin: a known pair costs two lookups and no string building.
  let pending = new Map<string, Map<string, OriginSighting>>();
  let size = 0;
  // Allowed pairs written in this minute (a generation of QUIET_FLUSHES flushes), not counted again.
  let quiet = new Map<string, Set<string>>();
  let flushes = 0;
  let timer: ReturnType<typeof runEvery> | null = null;
  const flush = async () => {
    flushes += 1;
    if (flushes % QUIET_FLUSHES === 0) quiet = new Map();
    if (size === 0) return;
    const batch = [...pending.values()].flatMap((byOrigin) => [...byOrigin.values()]);
    pending = new Map();
    size = 0;
    try {
      await recordOriginSightings(deps, batch, deps.clock.now());
      for (const s of batch) {
        if (s.refused > 0) continue;
        let origins = quiet.get(s.publicId);
        if (!origins) {
          origins = new Set();
          quiet.set(s.publicId, origins);
        }
        origins.add(s.origin);
      }
    } catch (error) {
      deps.log.warn({ err: error, origins: batch.length }, "install status: origins not recorded");
    }
  };
  return {
    note(publicId, origin, allowed) {
      if (allowed && quiet.get(publicId)?.has(origin)) return;
      let byOrigin = pending.get(publicId);
      let sighting = byOrigin?.get(origin);
      if (!sighting) {
        if (size >= MAX_PENDING) return;
        if (!byOrigin) {
          byOrigin = new Map();
          pending.set(publicId, byOrigin);
        }
        sighting = { publicId, origin, allowed: 0, refused: 0 };
        byOrigin.set(origin, sighting);
        size += 1;
      }
      if (allowed) sighting.allowed += 1;
      else sighting.refused += 1;
    },
    flush,
    start() {
      timer ??= runEvery(ORIGIN_FLUSH_MS, flush, deps.log, "install status flush");
    },
    async close() {
      await timer?.stop();
      timer = null;
      await flush();
    },
  };
}
