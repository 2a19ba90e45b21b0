import { Readable } from "node:stream";
import type { Limits, Ports, Settings } from "@cac/core";
import {
  callExportHeader,
  callExportLineBatches,
  callLogFilterSchema,
  localDate,
  prepareCallExport,
  resolveCallLogFilter,
} from "@cac/core";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { refuse, registerPortalRoute } from "./guard";

type ExportQuery = Record<string, string | string[] | undefined>;

/** `status` may repeat (`status=a&status=b`) or list several (`status=a,b`). */
function filterInput(query: ExportQuery) {
  const one = (name: string) => {
    const value = query[name];
    return (Array.isArray(value) ? value.at(-1) : value) || undefined;
  };
  const status = query.status;
  const statuses = (Array.isArray(status) ? status : status ? [status] : [])
    .flatMap((s) => s.split(","))
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    buttonId: one("buttonId"),
    statuses: statuses.length ? statuses : undefined,
    from: one("from"),
    to: one("to"),
    tag: one("tag"),
    // A query string carries text: "true" (or "1") asks for calls with notes.
    hasNotes: ["true", "1"].includes(one("hasNotes") ?? "") ? true : undefined,
    answeredBy: one("answeredBy"),
    source: one("source"),
    campaign: one("campaign"),
  };
}

/**
 * `GET /exports/calls.csv?buttonId=&status=&from=&to=&tag=&hasNotes=&answeredBy=&source=&campaign=`: the filtered call log as CSV, streamed.
 * The filters mean what they mean for `callLog.list`. Guarded like the call log's procedures
 * (guard.ts): the session cookie (SameSite=Lax keeps it off cross-site subrequests, no CORS
 * header lets another site read the answer, and a foreign Origin is refused); scoped to the
 * session's account. The row count comes first, in `X-Total-Rows`, so the portal can show
 * progress. Rows are read in keyset batches and each batch is written only when the socket has
 * taken the previous ones, so memory stays flat for any size.
 */
export function registerCallExport(app: FastifyInstance, ports: Ports, settings: Settings, limits: Limits) {
  registerPortalRoute<{ Querystring: ExportQuery }>(
    app,
    { ports, settings, limits },
    "GET /exports/calls.csv",
    async (req, reply, { auth }) => {
      const parsed = callLogFilterSchema.safeParse(filterInput(req.query));
      if (!parsed.success) {
        const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
        const first = Object.values(fieldErrors).flat()[0];
        return refuse(reply, 400, first ?? "Some filters need your attention.", fieldErrors);
      }
      // A button id of another account is NOT_FOUND, a bad range BAD_INPUT: the guard answers them.
      const filter = await resolveCallLogFilter(ports, auth.account, parsed.data, { userId: auth.user.id });
      const prepared = await prepareCallExport(ports, filter);

      const { total, start } = prepared;
      async function* csv() {
        // The BOM lets spreadsheets read the file as UTF-8 (button names, page URLs).
        yield `\uFEFF${callExportHeader(filter.timezone)}`;
        // Chunks of ~100 KB; the next batch is read while one is written, and the stream asks for
        // more only when the socket has taken what it had (backpressure): memory holds a batch or two.
        try {
          for await (const text of callExportLineBatches(ports, filter, start)) yield Buffer.from(text);
        } catch (error) {
          // The headers are gone: the client sees a cut-off download; the cause goes to the log.
          req.log.error({ err: error }, "call export failed while streaming");
          throw error;
        }
      }
      const today = localDate(ports.clock.now(), filter.timezone);
      return reply
        .header("Content-Type", "text/csv; charset=utf-8")
        .header("Content-Disposition", `attachment; filename="calls-${today}.csv"`)
        .header("X-Total-Rows", String(total))
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .send(Readable.from(csv(), { highWaterMark: 16 }));
    },
  );
}
