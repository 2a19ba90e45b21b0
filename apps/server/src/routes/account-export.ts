import { Readable } from "node:stream";
import type { Limits, Ports, Settings } from "@cac/core";
import { exportAccountData, exportCallSessions } from "@cac/core";
import type { FastifyInstance } from "fastify";
import { registerPortalRoute } from "./guard";

/**
 * `GET /exports/account.json`: "Download my data" (the privacy policy's CCPA access right). The
 * account owner gets one JSON file with the account, its users and their login sessions, buttons,
 * callback requests, subscription, billing records and every call session. Owners only, guarded
 * like the call export (guard.ts: SameSite=Lax cookie, no CORS, a foreign Origin refused). Call
 * sessions come last and are streamed in batches, so a long history never sits in memory whole.
 */
export function registerAccountExport(
  app: FastifyInstance,
  ports: Ports,
  settings: Settings,
  limits: Limits,
) {
  registerPortalRoute(
    app,
    { ports, settings, limits },
    "GET /exports/account.json",
    async (req, reply, { auth }) => {
      const accountId = auth.account.id;
      const head = await exportAccountData(ports, accountId, settings.publicUrl.origin);
      async function* json() {
        // The head as one object, with the call sessions array appended before its closing brace.
        yield `${JSON.stringify(head, null, 2).slice(0, -2)},\n  "callSessions": [`;
        let first = true;
        try {
          for await (const batch of exportCallSessions(ports, accountId)) {
            const text = batch.map((row) => `\n    ${JSON.stringify(row)}`).join(",");
            yield first ? text : `,${text}`;
            first = false;
          }
        } catch (error) {
          // The headers are gone: the client sees a cut-off (invalid) file; the cause goes to the log.
          req.log.error({ err: error }, "account data export failed while streaming");
          throw error;
        }
        yield `${first ? "" : "\n  "}]\n}\n`;
      }
      const day = head.exportedAt.toISOString().slice(0, 10);
      req.log.info({ accountId }, "account data exported");
      return reply
        .header("Content-Type", "application/json; charset=utf-8")
        .header("Content-Disposition", `attachment; filename="click-and-call-data-${day}.json"`)
        .header("Cache-Control", "no-store")
        .header("X-Content-Type-Options", "nosniff")
        .send(Readable.from(json()));
    },
  );
}
