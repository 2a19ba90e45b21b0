import { accounts, buttons, type Db, subscriptions, usageTotals } from "@cac/db";
import { and, eq, sql } from "drizzle-orm";
import type { Context } from "../context";
import type { AbuseThresholds } from "../domain/abuse-thresholds";
import { ipKey } from "../domain/ip";
import { hasControlCharacter } from "../domain/validation";
import { activeBlockQuery } from "./abuse";
import { type IpActivity, ipActivityQueries, toIpActivity } from "./abuse-detection";
import type { PublicButton } from "./buttons";
import { hasConfirmedOwner } from "./owners";
import { type RingFacts, ringFactsFields, toRingFacts } from "./routing";
import { toUsage, type Usage, usageFields, usageJoins } from "./usage";
import type { WidgetEntry } from "./widget-guards";

/**
 * What a call start decides on, read with its button: the account's usage, the IP's recent calls,
 * and what its ring plan is made from (the button's routing, the account's available members).
 */
export type CallFacts = {
  /** The instant they were read at: the call's start, and the period it counts in. */
  now: Date;
  usage: Usage;
  activity: IpActivity;
  ring: RingFacts;
};

/**
 * A visitor at a widget entry point (a call start, a callback request), as one query read it: the
 * button (with whether its account is verified), the block in force against the visitor's IP for
 * the account, and for a call the facts the call start checks. The checks still run one by one in
 * their order (widget tier, entry guards, then the call's own); only the reads are gathered, so a
 * call start costs one round trip to the database before the one that creates it (with its ring
 * plan's facts: routing and reachability are read here too, see services/routing.ts).
 */
export type WidgetVisit = {
  button: PublicButton;
  block: { id: string; source: "auto" | "operator" | "customer" } | null;
  call: CallFacts | null;
};

/**
 * Loads the visit, or undefined when no button has this public id (or its account is closed, or
 * the id carries control characters, as findButtonByPublicId).
 */
export async function loadWidgetVisit(
  ctx: Pick<Context, "db" | "clock" | "settings">,
  publicId: string,
  visitor: { ip: string; entry: WidgetEntry },
): Promise<WidgetVisit | undefined> {
  if (hasControlCharacter(publicId)) return undefined;
  const now = ctx.clock.now();
  const queries = visitQueries(ctx.db, ctx.settings.abuse);
  const values = { publicId, ipKey: ipKey(visitor.ip), now: now.toISOString() };
  if (visitor.entry !== "call") {
    const [row] = await queries.entry.execute(values);
    return row ? { ...toVisit(row), call: null } : undefined;
  }
  const [row] = await queries.call.execute(values);
  if (!row) return undefined;
  return {
    ...toVisit(row),
    call: { now, usage: toUsage(row.usage), activity: toIpActivity(row), ring: toRingFacts(row.ring) },
  };
}

/**
 * The visit's queries, built once per database and abuse thresholds (a server has one of each):
 * a call start runs this often, and Drizzle's building of a query this size would cost more CPU
 * than the database spends answering it. Each run fills in the button's public id, the IP's key
 * and the time.
 */
function visitQueries(db: Db, thresholds: AbuseThresholds) {
  let byThresholds = prepared.get(db);
  if (!byThresholds) {
    byThresholds = new Map();
    prepared.set(db, byThresholds);
  }
  const key = JSON.stringify(thresholds);
  let queries = byThresholds.get(key);
  if (!queries) {
    queries = buildVisitQueries(db, thresholds);
    byThresholds.set(key, queries);
  }
  return queries;
}

const prepared = new WeakMap<Db, Map<string, ReturnType<typeof buildVisitQueries>>>();

function buildVisitQueries(db: Db, thresholds: AbuseThresholds) {
  const now = sql`${sql.placeholder("now")}`;
  const key = sql`${sql.placeholder("ipKey")}`;
  const block = activeBlockQuery({ db }, key, buttons.accountId, now).as("block");
  const visited = and(eq(buttons.publicId, sql.placeholder("publicId")), eq(accounts.status, "active"));
  const common = {
    button: buttons,
    accountVerified: hasConfirmedOwner(buttons.accountId),
    blockId: block.id,
    blockSource: block.source,
  };
  const entry = db
    .select(common)
    .from(buttons)
    .innerJoin(accounts, eq(accounts.id, buttons.accountId))
    .leftJoinLateral(block, sql`true`)
    .where(visited)
    .limit(1)
    .prepare("widget_visit");
  const ipQueries = ipActivityQueries({ db }, thresholds, key, buttons.accountId, now);
  const activity = ipQueries.counts.as("activity");
  const accountsCalled = ipQueries.otherAccounts.as("accounts_called");
  const joins = usageJoins(now);
  const call = db
    .select({
      ...common,
      usage: usageFields(now),
      starts: activity.starts,
      shortCalls: activity.shortCalls,
      otherAccounts: accountsCalled.otherAccounts,
      ring: ringFactsFields(),
    })
    .from(buttons)
    .innerJoin(accounts, eq(accounts.id, buttons.accountId))
    .leftJoinLateral(block, sql`true`)
    .leftJoin(subscriptions, joins.subscription)
    .leftJoin(usageTotals, joins.total)
    .leftJoinLateral(activity, sql`true`)
    .leftJoinLateral(accountsCalled, sql`true`)
    .where(visited)
    .limit(1)
    .prepare("widget_visit_call");
  return { entry, call };
}

function toVisit(row: {
  button: PublicButton | Omit<PublicButton, "accountVerified">;
  accountVerified: boolean;
  blockId: string | null;
  blockSource: "auto" | "operator" | "customer" | null;
}): Omit<WidgetVisit, "call"> {
  return {
    button: { ...row.button, accountVerified: Boolean(row.accountVerified) },
    block: row.blockId && row.blockSource ? { id: row.blockId, source: row.blockSource } : null,
  };
}
