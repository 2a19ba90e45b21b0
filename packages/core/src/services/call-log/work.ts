import { callNotes, callSessions, users } from "@cac/db";
import { and, asc, eq, sql } from "drizzle-orm";
import { AppError } from "../../errors";
import type { Ports } from "../../ports";
import { toNote, type WorkNote } from "../callback-work";
import { managesWork, type WorkActor } from "../member-directory";
import { rowsOf } from "./filters";

const NOT_FOUND = "This call does not exist.";
const NOT_YOURS =
  "Only the member who answered this call, or an owner or admin, can change its notes and tags.";

export type CallWork = {
  id: string;
  answeredBy: { id: string; name: string } | null;
  tags: string[];
  notes: WorkNote[];
  /** Whether the viewer may add notes and change tags (they answered it, or they manage the account). */
  canEdit: boolean;
};

/** Who may edit the call's notes and tags, as a condition on its row (checked in the write itself). */
function editableBy(actor: WorkActor) {
  return managesWork(actor.role) ? undefined : eq(callSessions.answeredBy, actor.userId);
}

/** The call's notes, tags and who answered it. Every member may read them. */
export async function callWork(deps: Pick<Ports, "db">, actor: WorkActor, id: string): Promise<CallWork> {
  const [call] = await deps.db
    .select({
      id: callSessions.id,
      tags: callSessions.tags,
      answeredById: callSessions.answeredBy,
      answeredByName: users.name,
    })
    .from(callSessions)
    .leftJoin(users, eq(users.id, callSessions.answeredBy))
    .where(and(eq(callSessions.id, id), eq(callSessions.accountId, actor.accountId)));
  if (!call) throw new AppError("NOT_FOUND", NOT_FOUND);
  const notes = await deps.db
    .select({
      id: callNotes.id,
      body: callNotes.body,
      createdAt: callNotes.createdAt,
      authorId: callNotes.authorId,
      authorName: users.name,
    })
    .from(callNotes)
    .leftJoin(users, eq(users.id, callNotes.authorId))
    .where(and(eq(callNotes.callSessionId, id), eq(callNotes.accountId, actor.accountId)))
    .orderBy(asc(callNotes.createdAt), asc(callNotes.id));
  return {
    id: call.id,
    answeredBy: call.answeredById
      ? { id: call.answeredById, name: call.answeredByName ?? "Former member" }
      : null,
    tags: call.tags,
    notes: notes.map(toNote),
    canEdit: managesWork(actor.role) || call.answeredById === actor.userId,
  };
}

/** NOT_FOUND for a call of another account (or none), FORBIDDEN for one the actor may not edit. */
async function refusal(deps: Pick<Ports, "db">, actor: WorkActor, id: string): Promise<AppError> {
  const [call] = await deps.db
    .select({ id: callSessions.id })
    .from(callSessions)
    .where(and(eq(callSessions.id, id), eq(callSessions.accountId, actor.accountId)));
  return call ? new AppError("FORBIDDEN", NOT_YOURS) : new AppError("NOT_FOUND", NOT_FOUND);
}

/** Replaces the call's tags (already normalized by `tagListSchema`). */
export async function setCallTags(
  deps: Pick<Ports, "db">,
  actor: WorkActor,
  id: string,
  tags: string[],
): Promise<{ id: string; tags: string[] }> {
  const [row] = await deps.db
    .update(callSessions)
    .set({ tags })
    .where(and(eq(callSessions.id, id), eq(callSessions.accountId, actor.accountId), editableBy(actor)))
    .returning({ id: callSessions.id, tags: callSessions.tags });
  if (!row) throw await refusal(deps, actor, id);
  return row;
}

/**
 * Adds a note to the call, by the acting member. One statement: the call's `last_note_at` moves
 * (the "has notes" filter) and the note is written only if the actor may edit the call.
 */
export async function addCallNote(
  deps: Pick<Ports, "db" | "clock">,
  actor: WorkActor,
  id: string,
  body: string,
): Promise<WorkNote> {
  const now = deps.clock.now().toISOString();
  const allowed = managesWork(actor.role)
    ? sql`true`
    : sql`${callSessions.answeredBy} = ${actor.userId}::uuid`;
  const [note] = rowsOf<{ id: string; body: string; created_at: string | Date }>(
    await deps.db.execute(sql`
      with call as (
        update ${callSessions} set last_note_at = ${now}::timestamptz
        where ${callSessions.id} = ${id}::uuid and ${callSessions.accountId} = ${actor.accountId}::uuid
          and ${allowed}
        returning ${callSessions.id}, ${callSessions.accountId}
      )
      insert into ${callNotes} (account_id, call_session_id, author_id, body, created_at)
      select call.account_id, call.id, ${actor.userId}::uuid, ${body}::text, ${now}::timestamptz from call
      returning id, body, created_at`),
  );
  if (!note) throw await refusal(deps, actor, id);
  const [author] = await deps.db.select({ name: users.name }).from(users).where(eq(users.id, actor.userId));
  return {
    id: note.id,
    body: note.body,
    createdAt: new Date(note.created_at),
    author: author ? { id: actor.userId, name: author.name } : null,
  };
}
