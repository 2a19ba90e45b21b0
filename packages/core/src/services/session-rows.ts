import {
  type Account,
  type AuthSession,
  accounts,
  authSessions,
  type Db,
  type MemberRole,
  memberships,
  type User,
  users,
} from "@cac/db";
import { and, eq, sql } from "drizzle-orm";
import { batched } from "./batched";
import { hasConfirmedOwner } from "./owners";

export type SessionRow = {
  session: AuthSession;
  user: User;
  role: MemberRole;
  account: Account;
  accountVerified: unknown;
};

/** The lookup's statement, built once per database handle: building it costs more than running it. */
const lookups = new WeakMap<Db, ReturnType<typeof prepareLookup>>();

function prepareLookup(db: Db) {
  return (
    db
      .select({
        session: authSessions,
        user: users,
        role: memberships.role,
        account: accounts,
        accountVerified: hasConfirmedOwner(accounts.id),
      })
      .from(authSessions)
      .innerJoin(users, eq(users.id, authSessions.userId))
      // The session's active account, and only while the user is still a member of it: removing a
      // member ends their sessions there even before their rows are deleted.
      .innerJoin(
        memberships,
        and(
          eq(memberships.userId, authSessions.userId),
          eq(memberships.accountId, authSessions.activeAccountId),
        ),
      )
      .innerJoin(accounts, eq(accounts.id, authSessions.activeAccountId))
      .where(sql`${authSessions.id} = any(${sql.placeholder("ids")}::text[])`)
      .prepare("session_rows_by_id")
  );
}

/** A session with its user, its active account and the user's role there, by the session's id (batched: see batched.ts). */
export const findSessionRow = batched<string, SessionRow>(async (db, ids) => {
  let lookup = lookups.get(db);
  if (!lookup) {
    lookup = prepareLookup(db);
    lookups.set(db, lookup);
  }
  const rows = await lookup.execute({ ids });
  return new Map(rows.map((row) => [row.session.id, row]));
});

/**
 * How long renewals wait for others to go with them. A session is renewed at most once an hour, so
 * a request rarely waits; after a restart, every panel's session is renewed at once.
 */
const RENEWAL_WINDOW_MS = 50;

/** Marks a session used at `at` (its inactivity window starts again); batched, each with its own time. */
const markUsed = batched<string, true>(
  async (db, keys) => {
    const values = keys.map((key) => {
      const [id = "", at = ""] = key.split(" ");
      return sql`(${id}, ${at}::timestamptz)`;
    });
    await db.execute(
      sql`update ${authSessions} set last_verified_at = used.at from (values ${sql.join(values, sql`, `)}) as used(id, at) where ${authSessions.id} = used.id`,
    );
    return new Map(keys.map((key) => [key, true as const]));
  },
  { windowMs: RENEWAL_WINDOW_MS },
);

export async function markSessionUsed(db: Db, id: string, at: Date): Promise<void> {
  await markUsed(db, `${id} ${at.toISOString()}`);
}
