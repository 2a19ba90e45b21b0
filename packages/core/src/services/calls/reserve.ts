import { callRingSteps, callSessions, type Db, type RingPlan } from "@cac/db";
import { sql } from "drizzle-orm";
import type { VisitorContextColumns } from "../../domain/visitor-context";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";
import { TEST_CALL_MINUTES } from "../try-page";
import { getUsageAt, reservableMinutes, reserveMinutes, type Usage } from "../usage";

export function overQuota() {
  return new AppError(
    "OVER_QUOTA",
    "This business can't take calls through the website right now. Please try again later.",
  );
}

/** A call session as calls.start creates it. */
export type NewCall = {
  accountId: string;
  buttonId: string;
  transport: "webrtc" | "twilio";
  status: "initiated" | "ringing";
  visitorIp: string;
  pageUrl: string | null;
  /** The language the widget spoke ("en" | "es"), when it said. */
  language: string | null;
  visitorTokenHash: string;
  startedAt: Date;
  ringDeadlineAt: Date | null;
  /** A routed browser call's steps, and the one it starts on (its members are recorded as rung). */
  ringPlan?: RingPlan;
  ringStep?: number;
  /** A test call: reserves nothing, counts in no usage period, and has TEST_CALL_MINUTES to talk. */
  test?: boolean;
  /** Who is calling (all null when the widget sent nothing). */
  context?: VisitorContextColumns;
};

/** Tries with fewer minutes when other calls of the account took some meanwhile; bounded all the same. */
const MAX_ATTEMPTS = 5;

/**
 * Creates the call session together with its reservation of minutes in its period's total, in one
 * statement: the session exists only if the minutes were reserved, and the minutes are reserved
 * only with the session. A routed call's first ring step is recorded with it (call_ring_steps: its
 * members rung from the start), in the same statement. `usage` is the account's usage as read with the button; when calls
 * started meanwhile left fewer minutes than it promised, the total is read again and the call
 * reserves what is left, or is refused once nothing is.
 */
export async function createCallSession(
  deps: Pick<Ports, "db">,
  usage: Usage,
  call: NewCall,
): Promise<{ id: string; pageUrl: string | null; reservedMinutes: number }> {
  if (call.test) return insertTestCall(deps, call);
  let current = usage;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const minutes = reservableMinutes(current);
    if (minutes <= 0) break;
    const created = await insertWithReservation(deps, current, minutes, call);
    if (created) return { ...created, reservedMinutes: minutes };
    current = await getUsageAt(deps, call.accountId, call.startedAt);
  }
  throw overQuota();
}

/**
 * A test call's row: no reservation and no usage period (its end then adds nothing to any total),
 * and its time limit, TEST_CALL_MINUTES, in `reserved_minutes` where the answer reads it.
 */
async function insertTestCall(deps: Pick<Ports, "db">, call: NewCall) {
  const { ringPlan, ringStep, context, ...values } = call;
  const [row] = await deps.db
    .insert(callSessions)
    .values({
      ...values,
      ...context,
      lastActivityAt: call.startedAt,
      ...(ringPlan ? { ringPlan, ringStep: ringStep ?? 0 } : {}),
      reservedMinutes: TEST_CALL_MINUTES,
      test: true,
    })
    .returning({ id: callSessions.id, pageUrl: callSessions.pageUrl });
  if (!row) throw new Error("the test call was not created");
  return { ...row, reservedMinutes: TEST_CALL_MINUTES };
}

async function insertWithReservation(deps: Pick<Ports, "db">, usage: Usage, minutes: number, call: NewCall) {
  const iso = (date: Date | null) => (date ? date.toISOString() : null);
  const [row] = await startStatement(deps.db).execute({
    accountId: call.accountId,
    periodStart: usage.periodStart,
    periodEnd: usage.periodEnd,
    minutes,
    quota: usage.plan.minutesPerMonth,
    buttonId: call.buttonId,
    transport: call.transport,
    status: call.status,
    visitorIp: call.visitorIp,
    pageUrl: call.pageUrl,
    language: call.language,
    visitorTokenHash: call.visitorTokenHash,
    startedAt: iso(call.startedAt),
    ringDeadlineAt: iso(call.ringDeadlineAt),
    ringPlan: call.ringPlan ? JSON.stringify(call.ringPlan) : null,
    ringStep: call.ringStep ?? null,
    usagePeriodStart: iso(usage.periodStart),
    referrer: call.context?.referrer ?? null,
    utmSource: call.context?.utmSource ?? null,
    utmMedium: call.context?.utmMedium ?? null,
    utmCampaign: call.context?.utmCampaign ?? null,
    utmTerm: call.context?.utmTerm ?? null,
    utmContent: call.context?.utmContent ?? null,
    gclid: call.context?.gclid ?? null,
    device: call.context?.device ?? null,
    visitorLocalTime: call.context?.visitorLocalTime ?? null,
    source: call.context?.source ?? null,
  });
  return row ?? null;
}

/**
 * The statement of a call start, built once per database (as a prepared query, each run filling
 * in its values): the reservation, then the call session inserted from its result, so nothing is
 * inserted when the quota refused the minutes, then the first step's ring rows of that session.
 */
function startStatement(db: Db) {
  let statement = statements.get(db);
  if (!statement) {
    statement = buildStartStatement(db);
    statements.set(db, statement);
  }
  return statement;
}

const statements = new WeakMap<Db, ReturnType<typeof buildStartStatement>>();

function buildStartStatement(db: Db) {
  const value = (name: string, type: string) => sql`${sql.placeholder(name)}::${sql.raw(type)}`;
  const reserved = db.$with("reserved").as(
    reserveMinutes(
      { db },
      {
        accountId: sql.placeholder("accountId"),
        periodStart: sql.placeholder("periodStart"),
        periodEnd: sql.placeholder("periodEnd"),
        minutes: value("minutes", "int"),
        quota: value("quota", "int"),
      },
    ),
  );
  // Drizzle's insert … select wants every column of the table; this names the ones a start sets.
  const created = db
    .$with("created", { id: sql<string>`id`.as("id"), pageUrl: sql<string | null>`page_url`.as("page_url") })
    .as(
      sql`insert into ${callSessions} (account_id, button_id, transport, status, visitor_ip, page_url,
        visitor_token_hash, started_at, last_activity_at, ring_deadline_at, ring_plan, ring_step,
        usage_period_start, reserved_minutes, language, referrer, utm_source, utm_medium, utm_campaign,
        utm_term, utm_content, gclid, device, visitor_local_time, source)
      select ${value("accountId", "uuid")}, ${value("buttonId", "uuid")}, ${value("transport", "text")},
        ${value("status", "text")}, ${value("visitorIp", "text")}, ${value("pageUrl", "text")},
        ${value("visitorTokenHash", "text")}, ${value("startedAt", "timestamptz")},
        ${value("startedAt", "timestamptz")}, ${value("ringDeadlineAt", "timestamptz")},
        ${value("ringPlan", "jsonb")}, ${value("ringStep", "int")}, ${value("usagePeriodStart", "timestamptz")}, ${value("minutes", "int")},
        ${value("language", "text")}, ${value("referrer", "text")}, ${value("utmSource", "text")}, ${value("utmMedium", "text")},
        ${value("utmCampaign", "text")}, ${value("utmTerm", "text")}, ${value("utmContent", "text")},
        ${value("gclid", "text")}, ${value("device", "text")}, ${value("visitorLocalTime", "text")},
        ${value("source", "text")}
      from reserved
      returning id, page_url`,
    );
  // The members of the plan's first step, rung from the call's start (as recordRingStep writes them).
  const rung = db.$with("rung", {}).as(
    sql`insert into ${callRingSteps} (call_id, step, user_id, started_at)
      select created.id, 0, member.user_id::uuid, ${value("startedAt", "timestamptz")}
      from created, jsonb_array_elements_text(${value("ringPlan", "jsonb")} -> 0 -> 'userIds') as member(user_id)
      on conflict do nothing`,
  );
  return db.with(reserved, created, rung).select().from(created).prepare("start_call");
}
