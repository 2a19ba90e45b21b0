import { buttons, callNotes, callSessions, users } from "@cac/db";
import { desc, type SQL, sql } from "drizzle-orm";
import type { Ports } from "../../ports";
import { CSV_FORMULA_STARTS, CSV_SKIPPED_LEADING, csvCell } from "./csv";
import { billedMinutes, DELETED_BUTTON, filterWhere, type ResolvedCallLogFilter, rowsOf } from "./filters";
import { type Keyset, keysetWhere, startedMicros } from "./keyset";

export const EXPORT_BATCH = 10_000;
/** Rows per string handed to the server (~100 KB: below V8's large-object size). */
export const EXPORT_CHUNK_ROWS = 500;

/**
 * Prepares an export of the filtered log: pins its newest row, so calls that start while the
 * export runs are left out and the count announced first is the number of rows written (unless
 * rows are deleted meanwhile), and counts the rows.
 */
export async function prepareCallExport(deps: Pick<Ports, "db">, filter: ResolvedCallLogFilter) {
  const [top] = await deps.db
    .select({ id: callSessions.id, micros: startedMicros })
    .from(callSessions)
    .where(filterWhere(filter))
    .orderBy(desc(callSessions.startedAt), desc(callSessions.id))
    .limit(1);
  if (!top) return { total: 0, start: undefined };
  const start: Keyset = { micros: BigInt(top.micros), id: top.id, inclusive: true };
  const [counted] = await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(callSessions)
    .where(filterWhere(filter, keysetWhere(start)));
  return { total: Number(counted?.n ?? 0), start };
}

/**
 * isFormulaLike in SQL: a tab or CR first, or a formula start after the leading whitespace. Most
 * cells start with neither a formula start nor whitespace, and skip the trimming.
 */
function neutralized(x: SQL): SQL {
  const rest = sql`ltrim(${x}, ${CSV_SKIPPED_LEADING}::text)`;
  return sql`(case when strpos(${CSV_FORMULA_STARTS + CSV_SKIPPED_LEADING}::text, left(${x}, 1)) = 0 then ${x}
    when left(${x}, 1) in (chr(9), chr(13))
      or (${rest} <> '' and strpos(${CSV_FORMULA_STARTS}::text, left(${rest}, 1)) > 0)
    then '''' || ${x} else ${x} end)`;
}

/** One CSV cell (RFC 4180) of a text expression, exactly as csvCell writes it in TypeScript. */
export function csvText(x: SQL): SQL {
  return sql`(case when ${x} is null then ''
    when strpos(${x}, '"') + strpos(${x}, ',') + strpos(${x}, chr(10)) + strpos(${x}, chr(13)) > 0
      then '"' || replace(${neutralized(x)}, '"', '""') || '"'
    else ${neutralized(x)} end)`;
}

/**
 * A call's notes in one cell, oldest first, one per line: "local time, author: text". Only calls
 * with notes (`last_note_at`) look for them.
 */
function notesCell(tz: string): SQL {
  return sql`(case when ${callSessions.lastNoteAt} is null then null else (
    select string_agg(
      to_char(${callNotes.createdAt} at time zone ${tz}, 'YYYY-MM-DD HH24:MI') || ' ' ||
        coalesce(${users.name}, 'Former member') || ': ' || ${callNotes.body},
      chr(10) order by ${callNotes.createdAt}, ${callNotes.id})
    from ${callNotes} left join ${users} on ${users.id} = ${callNotes.authorId}
    where ${callNotes.callSessionId} = ${callSessions.id}) end)`;
}

/**
 * The filtered log as CSV text, one keyset batch at a time, newest first. Postgres writes each
 * line, so the server handles one string per row instead of a dozen values.
 */
export async function* callExportLineBatches(
  deps: Pick<Ports, "db">,
  filter: ResolvedCallLogFilter,
  start: Keyset | undefined,
  batchSize = EXPORT_BATCH,
): AsyncGenerator<string> {
  const tz = filter.timezone;
  // The line ends with one constant (folded when planned), so each line is concatenated once.
  const line = sql<string>`concat_ws(',',
      ${callSessions.id}::text,
      to_char(${callSessions.startedAt} at time zone ${tz}, 'YYYY-MM-DD HH24:MI:SS'),
      to_char(${callSessions.startedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
      coalesce(button.cell, ${csvCell(DELETED_BUTTON)}),
      ${callSessions.status},
      ${callSessions.transport},
      ${callSessions.durationSeconds}::text,
      ${billedMinutes}::text,
      ${csvText(sql`${callSessions.visitorIp}`)},
      ${csvText(sql`${callSessions.pageUrl}`)},
      ${csvText(sql`${callSessions.failureReason}`)},
      ${csvText(sql`answerer.name`)},
      ${csvText(sql`nullif(array_to_string(${callSessions.tags}, '; '), '')`)},
      ${csvText(notesCell(tz))},
      case when ${callSessions.test} then 'Yes' else '' end,
      case ${callSessions.language} when 'es' then 'Spanish' when 'en' then 'English' else '' end,
      ${csvText(sql`${callSessions.source}`)},
      ${csvText(sql`${callSessions.referrer}`)},
      ${csvText(sql`${callSessions.utmSource}`)},
      ${csvText(sql`${callSessions.utmMedium}`)},
      ${csvText(sql`${callSessions.utmCampaign}`)},
      ${csvText(sql`${callSessions.utmTerm}`)},
      ${csvText(sql`${callSessions.utmContent}`)},
      ${csvText(sql`${callSessions.gclid}`)},
      ${csvText(sql`${callSessions.device}`)},
      ${csvText(sql`${callSessions.visitorLocalTime}`)}) || (chr(13) || chr(10))`;
  type Chunk = { text: string; micros: string | null; id: string | null };
  // Postgres joins the lines into chunks of EXPORT_CHUNK_ROWS (in order) and names the batch's
  // last row for the next batch: the server handles a few strings per batch instead of an object
  // per row, and each string is small enough for V8's young generation, so it is freed cheaply.
  // The button's cell is written once per button, not per call: the lateral subquery is kept
  // apart (offset 0) so the join memoizes its result by button id. The cursor of the batch's
  // last row is computed for that row only (aggregate filters run before their arguments).
  const fetch = async (key: Keyset) =>
    rowsOf<Chunk>(
      await deps.db.execute(sql`
        select (n - 1) / ${EXPORT_CHUNK_ROWS} as chunk, string_agg(line, '' order by n) as text,
          max((extract(epoch from started_at) * 1000000)::bigint::text) filter (where n = ${batchSize}) as micros,
          max(id::text) filter (where n = ${batchSize}) as id
        from (
          select ${line} as line, ${callSessions.startedAt} as started_at, ${callSessions.id} as id,
            row_number() over (order by ${callSessions.startedAt} desc, ${callSessions.id} desc) as n
          from ${callSessions}
          left join lateral (
            select ${csvText(sql`${buttons.name}`)} as cell from ${buttons}
            where ${buttons.id} = ${callSessions.buttonId} offset 0
          ) button on true
          left join lateral (
            select ${users.name} as name from ${users}
            where ${users.id} = ${callSessions.answeredBy} offset 0
          ) answerer on true
          where ${filterWhere(filter, keysetWhere(key))}
          order by ${callSessions.startedAt} desc, ${callSessions.id} desc
          limit ${batchSize}
        ) batch
        group by chunk
        order by chunk`),
    );
  // The next batch is asked for as soon as this one arrives, so Postgres reads it while this one
  // is written out.
  let pending = start ? fetch(start) : undefined;
  try {
    while (pending) {
      const chunks = await pending;
      const last = chunks.at(-1);
      pending = last?.micros && last.id ? fetch({ micros: BigInt(last.micros), id: last.id }) : undefined;
      // Let go of each chunk once it is handed over, so it can be collected while it is young.
      for (let chunk = chunks.shift(); chunk; chunk = chunks.shift()) yield chunk.text;
    }
  } finally {
    // Stopped early (the client went away): the batch in flight is dropped, its errors too.
    pending?.catch(() => {});
  }
}
