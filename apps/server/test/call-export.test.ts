import { callExportLineBatches, prepareCallExport, resolveCallLogFilter } from "@cac/core";
import { accounts, callSessions } from "@cac/db";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validButton } from "./fixtures/buttons";
import { type Harness, signupVerified, startHarness, type TestClient } from "./harness";

type NewCall = typeof callSessions.$inferInsert;
type Owner = { client: TestClient; accountId: string; userId: string };

/** RFC 4180: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  if (cell !== "" || row.length) throw new Error("the CSV does not end with CRLF");
  return rows;
}

async function owner(h: Harness): Promise<Owner> {
  const { client } = await signupVerified(h);
  const me = await client.trpc.account.me.query();
  return { client, accountId: me!.account.id, userId: me!.user.id };
}

function call(
  accountId: string,
  buttonId: string | null,
  startedAt: string,
  extra: Partial<NewCall> = {},
): NewCall {
  return {
    accountId,
    buttonId,
    transport: "webrtc",
    status: "completed",
    visitorIp: "198.51.100.20",
    pageUrl: "https://shop.test/",
    startedAt: new Date(startedAt),
    answeredAt: new Date(startedAt),
    durationSeconds: 61,
    ...extra,
  };
}

async function insertCalls(h: Harness, calls: NewCall[]) {
  return (await h.db.db.insert(callSessions).values(calls).returning({ id: callSessions.id })).map(
    (r) => r.id,
  );
}

describe("CSV export of the call log", () => {
  let h: Harness;
  let a: Owner;
  let b: Owner;
  let aMain: string;
  let aOther: string;
  let bButton: string;
  let bCalls: string[];

  const download = (client: TestClient | null, query = "", headers: Record<string, string> = {}) => {
    const url = `${h.url}/exports/calls.csv${query ? `?${query}` : ""}`;
    // A link click: a same-origin navigation sends no Origin header.
    return client ? client.fetch(url, { headers }) : fetch(url, { headers });
  };
  /** The rows of a CSV answer; it starts with a UTF-8 BOM (fetch's text() would hide it). */
  const csvOf = async (response: Response) => {
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    return parseCsv(new TextDecoder().decode(bytes));
  };

  beforeAll(async () => {
    h = await startHarness({ build: { jobs: false } });
    a = await owner(h);
    b = await owner(h);
    aMain = (
      await a.client.trpc.buttons.create.mutate(validButton({ name: 'Main, "east" site', enabled: false }))
    ).id;
    aOther = (
      await a.client.trpc.buttons.create.mutate(
        validButton({ name: '=HYPERLINK("http://evil.test")', enabled: false }),
      )
    ).id;
    bButton = (
      await b.client.trpc.buttons.create.mutate(validButton({ name: "B secret button", enabled: false }))
    ).id;
    bCalls = await insertCalls(h, [
      call(b.accountId, bButton, "2026-02-10T15:00:00Z", { pageUrl: "https://b-secret.test/" }),
      call(b.accountId, bButton, "2026-02-11T15:00:00Z", { pageUrl: "https://b-secret.test/" }),
    ]);
  });
  afterAll(() => h?.close());

  async function resetA() {
    await h.db.db.delete(callSessions).where(eq(callSessions.accountId, a.accountId));
  }

  it("streams a header and every row, escaped, with formulas neutralized, as an attachment with the row count first", async () => {
    await resetA();
    const doomed = (await a.client.trpc.buttons.create.mutate(validButton({ name: "Gone", enabled: false })))
      .id;
    const [plain, tricky, deleted] = await insertCalls(h, [
      call(a.accountId, aMain, "2026-02-20T15:30:00.250Z", {
        durationSeconds: 125,
        answeredBy: a.userId,
        // A call from the button's test page, in Spanish: both said in their own columns.
        test: true,
        language: "es",
      }),
      call(a.accountId, aOther, "2026-02-21T15:30:00Z", {
        status: "failed",
        transport: "twilio",
        durationSeconds: 0,
        answeredAt: null,
        visitorIp: "@SUM(1+1)",
        pageUrl: '+https://shop.test/?a=1,b="2"',
        failureReason: "-2+3\nsecond line",
      }),
      call(a.accountId, doomed, "2026-02-22T15:30:00Z", {
        visitorIp: null,
        pageUrl: "\tcmd",
        failureReason: "\r=1",
      }),
    ]);
    await a.client.trpc.buttons.delete.mutate({ id: doomed });

    const response = await download(a.client);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    // The harness clock is 2026-03-01T12:00Z: 07:00 on March 1st in New York.
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="calls-2026-03-01.csv"');
    expect(response.headers.get("x-total-rows")).toBe("3");
    expect(response.headers.get("cache-control")).toBe("no-store");
    const rows = await csvOf(response);
    expect(rows[0]).toEqual([
      "Call ID",
      "Started (America/New_York)",
      "Started (UTC)",
      "Button",
      "Status",
      "Transport",
      "Duration (seconds)",
      "Billed minutes",
      "Visitor IP",
      "Page URL",
      "Failure reason",
      "Answered by",
      "Tags",
      "Notes",
      "Test call",
      "Language",
      "Source",
      "Referrer",
      "UTM source",
      "UTM medium",
      "UTM campaign",
      "UTM term",
      "UTM content",
      "gclid",
      "Device",
      "Visitor local time",
    ]);
    // None of these calls carried visitor context: its ten columns are empty.
    const noContext = Array.from({ length: 10 }, () => "");
    expect(rows.slice(1)).toEqual([
      [
        deleted,
        "2026-02-22 10:30:00",
        "2026-02-22T15:30:00.000Z",
        "Deleted button",
        "completed",
        "webrtc",
        "61",
        "2",
        "",
        "'\tcmd",
        "'\r=1",
        "",
        "",
        "",
        "",
        "",
        ...noContext,
      ],
      [
        tricky,
        "2026-02-21 10:30:00",
        "2026-02-21T15:30:00.000Z",
        '\'=HYPERLINK("http://evil.test")',
        "failed",
        "twilio",
        "0",
        "0",
        "'@SUM(1+1)",
        '\'+https://shop.test/?a=1,b="2"',
        "'-2+3\nsecond line",
        "",
        "",
        "",
        "",
        "",
        ...noContext,
      ],
      [
        plain,
        "2026-02-20 10:30:00",
        "2026-02-20T15:30:00.250Z",
        'Main, "east" site',
        "completed",
        "webrtc",
        "125",
        "3",
        "198.51.100.20",
        "https://shop.test/",
        "",
        "Dana Owner",
        "",
        "",
        "Yes",
        "Spanish",
        ...noContext,
      ],
    ]);
  });

  it("neutralizes formulas behind leading whitespace and in full-width forms", async () => {
    await resetA();
    const [id] = await insertCalls(h, [
      call(a.accountId, aMain, "2026-02-23T15:30:00Z", {
        visitorIp: "\uff1d1+1",
        pageUrl: " =1+1",
        failureReason: "\n=1+1",
      }),
    ]);
    const rows = await csvOf(await download(a.client));
    expect(rows.slice(1).map((row) => [row[0], ...row.slice(8, 11)])).toEqual([
      [id, "'\uff1d1+1", "' =1+1", "'\n=1+1"],
    ]);
  });

  it("applies the filters as the list does, dates in the account's timezone", async () => {
    await resetA();
    await insertCalls(h, [
      call(a.accountId, aMain, "2026-03-08T04:59:59Z"), // 03-07 local
      call(a.accountId, aMain, "2026-03-08T05:00:00Z"), // 03-08 00:00 local
      call(a.accountId, aOther, "2026-03-08T12:00:00Z", {
        status: "no-answer",
        durationSeconds: 0,
        answeredAt: null,
      }),
      call(a.accountId, aMain, "2026-03-09T03:59:59Z", {
        status: "busy",
        durationSeconds: 0,
        answeredAt: null,
      }),
      call(a.accountId, aMain, "2026-03-09T04:00:00Z"), // 03-09 local
    ]);
    const cases: Array<[string, Record<string, unknown>]> = [
      ["", {}],
      ["from=2026-03-08&to=2026-03-08", { from: "2026-03-08", to: "2026-03-08" }],
      [`buttonId=${aMain}&from=2026-03-08`, { buttonId: aMain, from: "2026-03-08" }],
      ["status=no-answer&status=busy", { statuses: ["no-answer", "busy"] }],
      ["status=no-answer,busy&to=2026-03-08", { statuses: ["no-answer", "busy"], to: "2026-03-08" }],
      [
        `from=${encodeURIComponent("2026-03-08T05:00:00Z")}&to=${encodeURIComponent("2026-03-09T03:59:59-00:00")}`,
        { from: "2026-03-08T05:00:00Z", to: "2026-03-09T03:59:59-00:00" },
      ],
    ];
    for (const [query, input] of cases) {
      const response = await download(a.client, query);
      expect(response.status, query).toBe(200);
      const ids = (await csvOf(response)).slice(1).map((r) => r[0]);
      const listed = (await a.client.trpc.callLog.list.query({ ...input, limit: 200 })).items.map(
        (r) => r.id,
      );
      expect(ids, query).toEqual(listed);
      expect(response.headers.get("x-total-rows"), query).toBe(String(listed.length));
    }
    expect((await download(a.client, "from=2026-03-08&to=2026-03-08")).headers.get("x-total-rows")).toBe("3");
  });

  it("refuses bad filters with 400 and a reason", async () => {
    for (const [query, field] of [
      ["status=lost", "statuses"],
      ["from=yesterday", "from"],
      ["from=2026-02-30", "from"],
      ["from=2026-03-09&to=2026-03-08", "to"],
      ["buttonId=not-a-uuid", "buttonId"],
    ] as const) {
      const response = await download(a.client, query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: string; fieldErrors: Record<string, string[]> };
      expect(body.error, query).toBeTruthy();
      expect(body.fieldErrors[field]?.[0], query).toBe(body.error);
    }
  });

  it("needs a session (401), and only ever exports the session's own account", async () => {
    const anonymous = await download(null);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("content-disposition")).toBeNull();
    const forged = await download(null, "", { cookie: "cac_session=abc.def" });
    expect(forged.status).toBe(401);

    // B's button: NOT_FOUND, like a button that does not exist.
    for (const id of [bButton, "00000000-0000-4000-8000-000000000000"]) {
      const foreign = await download(a.client, `buttonId=${id}`);
      expect(foreign.status).toBe(404);
      expect(((await foreign.json()) as { error: string }).error).toBe(
        "This button does not exist or was deleted.",
      );
    }

    await resetA();
    const mine = await insertCalls(h, [call(a.accountId, aMain, "2026-02-10T15:00:00Z")]);
    const text = await (await download(a.client)).text(); // (text() drops the BOM)
    for (const marker of [...bCalls, bButton, "B secret button", "b-secret.test"])
      expect(text).not.toContain(marker);
    expect(
      parseCsv(text)
        .slice(1)
        .map((r) => r[0]),
    ).toEqual(mine);
    const asB = await csvOf(await download(b.client));
    expect(
      asB
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual([...bCalls].sort());

    // A request another site's script makes carries its Origin: refused before anything is read.
    const cookie = [...a.client.jar].map(([k, v]) => `${k}=${v}`).join("; ");
    const crossSite = await download(null, "", { origin: "https://evil.test", cookie });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("the export is written in keyset batches: large logs with equal timestamps come out whole, once each", async () => {
    await resetA();
    // 12,003 calls, 1,000 per timestamp, so batch edges fall inside groups of equal timestamps.
    await h.db.db.execute(sql`
      insert into call_sessions (account_id, button_id, transport, status, started_at, duration_seconds)
      select ${a.accountId}, ${aMain}, 'webrtc', 'completed',
        '2026-02-01T00:00:00Z'::timestamptz + (g / 1000) * interval '1 minute' + (g % 2) * interval '1 microsecond', 30
      from generate_series(1, 12003) g`);
    const response = await download(a.client);
    expect(response.headers.get("x-total-rows")).toBe("12003");
    const rows = (await csvOf(response)).slice(1);
    expect(rows).toHaveLength(12003);
    expect(new Set(rows.map((r) => r[0])).size).toBe(12003);
    const started = rows.map((r) => r[2]!);
    expect([...started].sort().reverse()).toEqual(started);

    // The same through the batches directly, with a small batch size.
    const me = (await h.db.db.select().from(accounts).where(eq(accounts.id, a.accountId)))[0]!;
    const filter = await resolveCallLogFilter(h.ports, me, {});
    const { total, start } = await prepareCallExport(h.ports, filter);
    // A call that starts once the export began is left out, so the count announced holds.
    await insertCalls(h, [call(a.accountId, aMain, "2026-03-01T11:59:00Z")]);
    const seen: string[] = [];
    let chunks = 0;
    // Batches of 997 rows, each handed over in chunks of at most 500 lines.
    for await (const text of callExportLineBatches(h.ports, filter, start, 997)) {
      chunks++;
      expect(text.endsWith("\r\n")).toBe(true);
      const lines = text.split("\r\n").slice(0, -1);
      expect(lines.length).toBeLessThanOrEqual(500);
      for (const line of lines) seen.push(line.split(",")[0]!);
    }
    expect(total).toBe(12003);
    expect(seen).toHaveLength(12003);
    expect(new Set(seen).size).toBe(12003);
    expect(chunks).toBe(12 * 2 + 1);
  });

  it("a download the client abandons midway stops cleanly and the server keeps serving", async () => {
    const abort = new AbortController();
    const response = await a.client.fetch(`${h.url}/exports/calls.csv`, { signal: abort.signal });
    const reader = response.body!.getReader();
    await reader.read();
    abort.abort();
    await reader.cancel().catch(() => {});
    const again = await download(a.client, "status=completed&from=2026-03-01");
    expect(again.status).toBe(200);
    expect(again.headers.get("x-total-rows")).toBe("1");
  });

  it("an empty log is a header row and X-Total-Rows: 0", async () => {
    await resetA();
    const response = await download(a.client);
    expect(response.headers.get("x-total-rows")).toBe("0");
    const rows = await csvOf(response);
    expect(rows).toHaveLength(1);
  });
});
