import { callbackNotes, callbackRequests, users } from "@cac/db";
import { and, asc, eq, sql } from "drizzle-orm";
import type { CallbackWorkStatus } from "../domain/work-items";
import { AppError } from "../errors";
import type { Ports } from "../ports";
import { rowsOf } from "./call-log/filters";
import { isMember, type WorkActor } from "./member-directory";

const NOT_FOUND = "This callback request does not exist.";

export type WorkNote = {
  id: string;
  body: string;
  createdAt: Date;
  /** Null once the author's login was deleted. */
  author: { id: string; name: string } | null;
};

/** The request's work state as the portal shows it after a change. */
export type CallbackWorkState = {
  id: string;
  status: CallbackWorkStatus;
  assignee: { id: string; name: string } | null;
  handledAt: Date | null;
};

async function workState(deps: Pick<Ports, "db">, accountId: string, id: string): Promise<CallbackWorkState> {
  const [row] = await deps.db
    .select({
      id: callbackRequests.id,
      status: callbackRequests.status,
      assigneeId: callbackRequests.assigneeId,
      assigneeName: users.name,
      handledAt: callbackRequests.handledAt,
    })
    .from(callbackRequests)
    .leftJoin(users, eq(users.id, callbackRequests.assigneeId))
    .where(and(eq(callbackRequests.id, id), eq(callbackRequests.accountId, accountId)));
  if (!row) throw new AppError("NOT_FOUND", NOT_FOUND);
  return {
    id: row.id,
    status: row.status,
    assignee: row.assigneeId ? { id: row.assigneeId, name: row.assigneeName ?? "Former member" } : null,
    handledAt: row.handledAt,
  };
}

/**
 * Assigns the request to a member of the account (status `assigned`), or takes it from whoever has
 * it (`null`: back to `new`, unless it is done). Any member may do it: handling callbacks is team work.
 */
export async function assignCallback(
  deps: Pick<Ports, "db">,
  accountId: string,
  id: string,
  assigneeId: string | null,
): Promise<CallbackWorkState> {
  if (assigneeId && !(await isMember(deps, accountId, assigneeId))) {
    // The same answer as for a request of another account: a member of another team is not found here.
    const message = "Choose a member of your team.";
    throw new AppError("NOT_FOUND", message, { fieldErrors: { assigneeId: [message] } });
  }
  const updated = await deps.db
    .update(callbackRequests)
    .set(
      assigneeId
        ? { assigneeId, status: "assigned", handledAt: null }
        : {
            assigneeId: null,
            status: sql`case when ${callbackRequests.status} = 'done' then 'done' else 'new' end`,
          },
    )
    .where(and(eq(callbackRequests.id, id), eq(callbackRequests.accountId, accountId)))
    .returning({ id: callbackRequests.id });
  if (updated.length === 0) throw new AppError("NOT_FOUND", NOT_FOUND);
  return workState(deps, accountId, id);
}

/**
 * Marks the request done (it keeps its assignee, who handled it), or reopens it as new (nobody
 * has it any more).
 */
export async function setCallbackStatus(
  deps: Pick<Ports, "db" | "clock">,
  accountId: string,
  id: string,
  status: Exclude<CallbackWorkStatus, "assigned">,
): Promise<CallbackWorkState> {
  const updated = await deps.db
    .update(callbackRequests)
    .set(
      status === "done"
        ? {
            status: "done",
            handledAt: sql`coalesce(${callbackRequests.handledAt}, ${deps.clock.now().toISOString()}::timestamptz)`,
          }
        : { status: "new", assigneeId: null, handledAt: null },
    )
    .where(and(eq(callbackRequests.id, id), eq(callbackRequests.accountId, accountId)))
    .returning({ id: callbackRequests.id });
  if (updated.length === 0) throw new AppError("NOT_FOUND", NOT_FOUND);
  return workState(deps, accountId, id);
}

/** Adds a note to the request, by the acting member. Notes are never edited or removed. */
export async function addCallbackNote(
  deps: Pick<Ports, "db" | "clock">,
  actor: WorkActor,
  id: string,
  body: string,
): Promise<WorkNote> {
  // One statement: the note is written only if the request is the actor's account's.
  const [note] = rowsOf<{ id: string; body: string; created_at: string | Date }>(
    await deps.db.execute(sql`
      insert into ${callbackNotes} (account_id, callback_request_id, author_id, body, created_at)
      select ${callbackRequests.accountId}, ${callbackRequests.id}, ${actor.userId}::uuid, ${body}::text,
        ${deps.clock.now().toISOString()}::timestamptz
      from ${callbackRequests}
      where ${callbackRequests.id} = ${id}::uuid and ${callbackRequests.accountId} = ${actor.accountId}::uuid
      returning id, body, created_at`),
  );
  if (!note) throw new AppError("NOT_FOUND", NOT_FOUND);
  const [author] = await deps.db.select({ name: users.name }).from(users).where(eq(users.id, actor.userId));
  return {
    id: note.id,
    body: note.body,
    createdAt: new Date(note.created_at),
    author: author ? { id: actor.userId, name: author.name } : null,
  };
}

/** The request's notes, oldest first. */
export async function callbackNotesOf(
  deps: Pick<Ports, "db">,
  accountId: string,
  id: string,
): Promise<WorkNote[]> {
  // Another account's request is not found, rather than a request without notes.
  const [request] = await deps.db
    .select({ id: callbackRequests.id })
    .from(callbackRequests)
    .where(and(eq(callbackRequests.id, id), eq(callbackRequests.accountId, accountId)));
  if (!request) throw new AppError("NOT_FOUND", NOT_FOUND);
  const rows = await deps.db
    .select({
      id: callbackNotes.id,
      body: callbackNotes.body,
      createdAt: callbackNotes.createdAt,
      authorId: callbackNotes.authorId,
      authorName: users.name,
    })
    .from(callbackNotes)
    .leftJoin(users, eq(users.id, callbackNotes.authorId))
    .where(and(eq(callbackNotes.callbackRequestId, id), eq(callbackNotes.accountId, accountId)))
    .orderBy(asc(callbackNotes.createdAt), asc(callbackNotes.id));
  return rows.map(toNote);
}

export function toNote(r: {
  id: string;
  body: string;
  createdAt: Date;
  authorId: string | null;
  authorName: string | null;
}): WorkNote {
  return {
    id: r.id,
    body: r.body,
    createdAt: r.createdAt,
    author: r.authorId ? { id: r.authorId, name: r.authorName ?? "Former member" } : null,
  };
}
