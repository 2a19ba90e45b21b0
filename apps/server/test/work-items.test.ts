/**
 * Callbacks and calls as the team's work items, over HTTP: a callback request is assigned, noted,
 * done and reopened by any member; a call's notes and tags are changed only by whoever answered it
 * or an owner (admins too, once the role exists), read by every member; the Calls and Callbacks
 * filters find them; the CSV and the data export carry them; and account deletion takes them.
 */
import { deleteClosedAccounts } from "@cac/core";
import { callbackNotes, callbackRequests, callNotes, callSessions, users } from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alwaysOpen, validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  loginAgent,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
  uniqueIp,
} from "./harness";

const SHOP = "https://shop.test";
const DAY = 24 * 60 * 60 * 1000;

type Team = {
  owner: TestClient;
  ownerEmail: string;
  ownerPassword: string;
  ownerId: string;
  accountId: string;
  buttonId: string;
  publicId: string;
  /** Two agents of the same account. */
  dana: { client: TestClient; id: string };
  eli: { client: TestClient; id: string };
};

describe("work items", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      limits: { "signup.ip": LIFTED, "login.ip": LIFTED, "login.email": LIFTED },
      build: { jobs: false },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  async function agent(accountId: string, name: string) {
    const { client, email } = await loginAgent(h, accountId);
    const [row] = await h.db.db.update(users).set({ name }).where(eq(users.email, email)).returning();
    return { client, id: row!.id };
  }

  async function team(): Promise<Team> {
    const { client, email, password } = await signupVerified(h, { name: "Olive Owner" });
    const owner = await memberByEmail(h.db.db, email);
    const button = await client.trpc.buttons.create.mutate(
      validButton({
        name: "Main",
        hours: alwaysOpen,
        closedBehavior: "callback",
        allowedDomains: ["shop.test"],
      }),
    );
    return {
      owner: client,
      ownerEmail: email,
      ownerPassword: password,
      ownerId: owner.id,
      accountId: owner.accountId,
      buttonId: button.id,
      publicId: button.publicId,
      dana: await agent(owner.accountId, "Dana Agent"),
      eli: await agent(owner.accountId, "Eli Agent"),
    };
  }

  async function callbackOf(t: Team, name = `Visitor ${unique()}`) {
    await h.client({ origin: SHOP, ip: uniqueIp() }).trpc.widget.requestCallback.mutate({
      button: t.publicId,
      name,
      phone: "(202) 555-0111",
    });
    const [row] = await h.db.db
      .select()
      .from(callbackRequests)
      .where(and(eq(callbackRequests.accountId, t.accountId), eq(callbackRequests.name, name)));
    return row!.id;
  }

  /** A finished call on the team's button, answered by `answeredBy` (or nobody). */
  async function callOf(t: Team, answeredBy: string | null, startedAt = h.clock.now()) {
    const [row] = await h.db.db
      .insert(callSessions)
      .values({
        accountId: t.accountId,
        buttonId: t.buttonId,
        transport: "webrtc",
        status: answeredBy ? "completed" : "no-answer",
        answeredBy,
        answeredAt: answeredBy ? startedAt : null,
        startedAt,
        endedAt: startedAt,
        durationSeconds: answeredBy ? 61 : 0,
      })
      .returning();
    return row!.id;
  }

  describe("callback requests", () => {
    it("an agent assigns a request to themself, notes it, marks it done and reopens it", async () => {
      const t = await team();
      const id = await callbackOf(t);
      const [listed] = (await t.dana.client.trpc.callbacks.list.query()).items;
      expect(listed).toMatchObject({ id, status: "new", assignee: null, noteCount: 0, handledAt: null });

      expect(await t.dana.client.trpc.callbacks.assign.mutate({ id, assigneeId: t.dana.id })).toEqual({
        id,
        status: "assigned",
        assignee: { id: t.dana.id, name: "Dana Agent" },
        handledAt: null,
      });
      const note = await t.dana.client.trpc.callbacks.addNote.mutate({ id, body: "  Left a voicemail.  " });
      expect(note).toMatchObject({
        body: "Left a voicemail.",
        author: { id: t.dana.id, name: "Dana Agent" },
      });
      // Another member reads the notes, and adds one later: the history keeps both, oldest first.
      h.clock.advance(60_000);
      await t.eli.client.trpc.callbacks.addNote.mutate({ id, body: "Called again, booked Tuesday." });
      const notes = (await t.owner.trpc.callbacks.notes.query({ id })).items;
      expect(notes.map((n) => [n.author?.name, n.body])).toEqual([
        ["Dana Agent", "Left a voicemail."],
        ["Eli Agent", "Called again, booked Tuesday."],
      ]);

      const done = await t.dana.client.trpc.callbacks.setStatus.mutate({ id, status: "done" });
      expect(done).toMatchObject({ status: "done", assignee: { id: t.dana.id } });
      expect(done.handledAt).toBeInstanceOf(Date);
      expect((await t.owner.trpc.callbacks.list.query({ onlyOpen: true })).items).toEqual([]);
      const [after] = (await t.owner.trpc.callbacks.list.query()).items;
      expect(after).toMatchObject({ status: "done", noteCount: 2 });

      const reopened = await t.owner.trpc.callbacks.setStatus.mutate({ id, status: "new" });
      expect(reopened).toEqual({ id, status: "new", assignee: null, handledAt: null });
    });

    it("unassigning sends an open request back to new and leaves a done one done", async () => {
      const t = await team();
      const open = await callbackOf(t);
      const finished = await callbackOf(t);
      await t.owner.trpc.callbacks.assign.mutate({ id: open, assigneeId: t.eli.id });
      await t.owner.trpc.callbacks.assign.mutate({ id: finished, assigneeId: t.eli.id });
      await t.eli.client.trpc.callbacks.setStatus.mutate({ id: finished, status: "done" });
      expect(await t.owner.trpc.callbacks.assign.mutate({ id: open, assigneeId: null })).toMatchObject({
        status: "new",
        assignee: null,
      });
      expect(await t.owner.trpc.callbacks.assign.mutate({ id: finished, assigneeId: null })).toMatchObject({
        status: "done",
        assignee: null,
      });
    });

    it("the handled switch keeps the status in step: done, then back to assigned while someone has it", async () => {
      const t = await team();
      const id = await callbackOf(t);
      await t.owner.trpc.callbacks.assign.mutate({ id, assigneeId: t.dana.id });
      await t.owner.trpc.callbacks.setHandled.mutate({ id, handled: true });
      expect((await t.owner.trpc.callbacks.list.query()).items[0]).toMatchObject({ status: "done" });
      await t.owner.trpc.callbacks.setHandled.mutate({ id, handled: false });
      expect((await t.owner.trpc.callbacks.list.query()).items[0]).toMatchObject({
        status: "assigned",
        assignee: { id: t.dana.id },
        handledAt: null,
      });
    });

    it("filters by status and by assignee: unassigned, me, a member", async () => {
      const t = await team();
      const fresh = await callbackOf(t, "Fresh");
      const danas = await callbackOf(t, "Dana's");
      const elis = await callbackOf(t, "Eli's");
      const closed = await callbackOf(t, "Closed");
      await t.owner.trpc.callbacks.assign.mutate({ id: danas, assigneeId: t.dana.id });
      await t.owner.trpc.callbacks.assign.mutate({ id: elis, assigneeId: t.eli.id });
      await t.owner.trpc.callbacks.setStatus.mutate({ id: closed, status: "done" });
      const ids = async (
        client: TestClient,
        input: Parameters<TestClient["trpc"]["callbacks"]["list"]["query"]>[0],
      ) => (await client.trpc.callbacks.list.query(input)).items.map((r) => r.id).sort();

      expect(await ids(t.owner, { statuses: ["new"] })).toEqual([fresh].sort());
      expect(await ids(t.owner, { statuses: ["assigned", "done"] })).toEqual([danas, elis, closed].sort());
      expect(await ids(t.owner, { assignee: "unassigned" })).toEqual([fresh, closed].sort());
      expect(await ids(t.dana.client, { assignee: "me" })).toEqual([danas]);
      expect(await ids(t.dana.client, { assignee: t.eli.id })).toEqual([elis]);
      expect(await ids(t.owner, { assignee: "unassigned", statuses: ["new"] })).toEqual([fresh]);
      // Pages hold with a filter: one at a time, every match once.
      const first = await t.owner.trpc.callbacks.list.query({ statuses: ["assigned", "done"], limit: 1 });
      const seen = [...first.items.map((r) => r.id)];
      let cursor = first.nextCursor;
      while (cursor) {
        const page = await t.owner.trpc.callbacks.list.query({
          statuses: ["assigned", "done"],
          limit: 1,
          cursor,
        });
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor;
      }
      expect(seen.sort()).toEqual([danas, elis, closed].sort());
    });

    it("refuses an assignee from another account, an empty or overlong note and an unknown status, with reasons", async () => {
      const t = await team();
      const other = await team();
      const id = await callbackOf(t);
      const foreign = await expectTrpcError(
        t.owner.trpc.callbacks.assign.mutate({ id, assigneeId: other.dana.id }),
      );
      expect(foreign.data?.code).toBe("NOT_FOUND");
      expect(foreign.data?.fieldErrors?.assigneeId?.[0]).toMatch(/member of your team/);

      const empty = await expectTrpcError(t.owner.trpc.callbacks.addNote.mutate({ id, body: "   " }));
      expect(empty.data?.httpStatus).toBe(400);
      expect(empty.data?.fieldErrors?.body?.[0]).toMatch(/Write the note/);
      const long = await expectTrpcError(
        t.owner.trpc.callbacks.addNote.mutate({ id, body: "x".repeat(2001) }),
      );
      expect(long.data?.fieldErrors?.body?.[0]).toMatch(/under 2000 characters/);
      const status = await expectTrpcError(
        // @ts-expect-error "assigned" is reached by assigning someone, never set directly
        t.owner.trpc.callbacks.setStatus.mutate({ id, status: "assigned" }),
      );
      expect(status.data?.httpStatus).toBe(400);
      expect(status.data?.fieldErrors?.status?.[0]).toMatch(/done, or reopen/);

      expect((await t.owner.trpc.callbacks.list.query()).items[0]).toMatchObject({
        status: "new",
        noteCount: 0,
      });
      expect((await t.owner.trpc.callbacks.assignees.query()).items.map((m) => m.name).sort()).toEqual([
        "Dana Agent",
        "Eli Agent",
        "Olive Owner",
      ]);
    });
  });

  describe("calls", () => {
    it("whoever answered and the owner edit notes and tags; another agent reads them and is refused", async () => {
      const t = await team();
      const id = await callOf(t, t.dana.id);
      const tags = await t.dana.client.trpc.callLog.setTags.mutate({
        id,
        tags: [" Sales  Lead ", "sales lead", "VIP"],
      });
      expect(tags).toEqual({ id, tags: ["sales lead", "vip"] });
      await t.dana.client.trpc.callLog.addNote.mutate({ id, body: "Wants a quote for two rooms." });
      h.clock.advance(60_000);
      await t.owner.trpc.callLog.addNote.mutate({ id, body: "Quote sent." });

      const asEli = await t.eli.client.trpc.callLog.work.query({ id });
      expect(asEli).toMatchObject({
        answeredBy: { id: t.dana.id, name: "Dana Agent" },
        tags: ["sales lead", "vip"],
        canEdit: false,
      });
      expect(asEli.notes.map((n) => [n.author?.name, n.body])).toEqual([
        ["Dana Agent", "Wants a quote for two rooms."],
        ["Olive Owner", "Quote sent."],
      ]);
      expect((await t.dana.client.trpc.callLog.work.query({ id })).canEdit).toBe(true);
      expect((await t.owner.trpc.callLog.work.query({ id })).canEdit).toBe(true);

      const note = await expectTrpcError(t.eli.client.trpc.callLog.addNote.mutate({ id, body: "Mine now" }));
      expect(note.data?.code).toBe("FORBIDDEN");
      expect(note.message).toMatch(/Only the member who answered this call/);
      const retag = await expectTrpcError(t.eli.client.trpc.callLog.setTags.mutate({ id, tags: [] }));
      expect(retag.data?.code).toBe("FORBIDDEN");
      const stored = await h.db.db.select().from(callSessions).where(eq(callSessions.id, id));
      expect(stored[0]!.tags).toEqual(["sales lead", "vip"]);
      expect(await h.db.db.select().from(callNotes).where(eq(callNotes.callSessionId, id))).toHaveLength(2);

      // A call nobody answered: only the owner may note it.
      const missed = await callOf(t, null);
      expect(
        (await expectTrpcError(t.dana.client.trpc.callLog.setTags.mutate({ id: missed, tags: ["x"] }))).data
          ?.code,
      ).toBe("FORBIDDEN");
      expect(await t.owner.trpc.callLog.setTags.mutate({ id: missed, tags: ["call back"] })).toEqual({
        id: missed,
        tags: ["call back"],
      });
    });

    it("refuses too many, empty or overlong tags and an empty note, with reasons", async () => {
      const t = await team();
      const id = await callOf(t, t.dana.id);
      const many = await expectTrpcError(
        t.owner.trpc.callLog.setTags.mutate({ id, tags: Array.from({ length: 11 }, (_, i) => `t${i}`) }),
      );
      expect(many.data?.httpStatus).toBe(400);
      expect(many.data?.fieldErrors?.tags?.[0]).toMatch(/at most 10 tags/);
      const blank = await expectTrpcError(t.owner.trpc.callLog.setTags.mutate({ id, tags: ["  "] }));
      expect(blank.data?.httpStatus).toBe(400);
      expect(JSON.stringify(blank.data?.fieldErrors)).toMatch(/cannot be empty/);
      const long = await expectTrpcError(t.owner.trpc.callLog.setTags.mutate({ id, tags: ["x".repeat(33)] }));
      expect(JSON.stringify(long.data?.fieldErrors)).toMatch(/under 32 characters/);
      const empty = await expectTrpcError(t.owner.trpc.callLog.addNote.mutate({ id, body: "" }));
      expect(empty.data?.fieldErrors?.body?.[0]).toMatch(/Write the note/);
      expect((await t.owner.trpc.callLog.work.query({ id })).tags).toEqual([]);
    });

    it("the call log filters by tag, by notes and by who answered, in its list, totals and pages", async () => {
      const t = await team();
      const base = +h.clock.now() - 60_000;
      const danaTagged = await callOf(t, t.dana.id, new Date(base));
      const danaNoted = await callOf(t, t.dana.id, new Date(base + 1000));
      const eliBoth = await callOf(t, t.eli.id, new Date(base + 2000));
      const missed = await callOf(t, null, new Date(base + 3000));
      await t.owner.trpc.callLog.setTags.mutate({ id: danaTagged, tags: ["Quote"] });
      await t.owner.trpc.callLog.setTags.mutate({ id: eliBoth, tags: ["quote", "vip"] });
      await t.owner.trpc.callLog.addNote.mutate({ id: danaNoted, body: "Noted" });
      await t.owner.trpc.callLog.addNote.mutate({ id: eliBoth, body: "Noted too" });

      type Filter = Parameters<TestClient["trpc"]["callLog"]["list"]["query"]>[0];
      const ids = async (client: TestClient, filter: Filter) =>
        (await client.trpc.callLog.list.query(filter)).items.map((r) => r.id);
      expect(await ids(t.owner, {})).toEqual([missed, eliBoth, danaNoted, danaTagged]);
      expect(await ids(t.owner, { tag: " QUOTE " })).toEqual([eliBoth, danaTagged]);
      expect(await ids(t.owner, { tag: "vip" })).toEqual([eliBoth]);
      expect(await ids(t.owner, { hasNotes: true })).toEqual([eliBoth, danaNoted]);
      expect(await ids(t.owner, { answeredBy: t.dana.id })).toEqual([danaNoted, danaTagged]);
      expect(await ids(t.dana.client, { answeredBy: "me" })).toEqual([danaNoted, danaTagged]);
      expect(await ids(t.owner, { answeredBy: t.eli.id, tag: "quote", hasNotes: true })).toEqual([eliBoth]);
      expect(await ids(t.owner, { answeredBy: "me" })).toEqual([]);
      const [row] = (await t.owner.trpc.callLog.list.query({ tag: "vip" })).items;
      expect(row).toMatchObject({ tags: ["quote", "vip"], hasNotes: true });
      expect((await t.owner.trpc.callLog.totals.query({ tag: "quote" })).calls).toBe(2);
      expect((await t.owner.trpc.callLog.totals.query({ answeredBy: t.dana.id })).answered).toBe(2);

      const page1 = await t.owner.trpc.callLog.list.query({ tag: "quote", limit: 1 });
      const page2 = await t.owner.trpc.callLog.list.query({
        tag: "quote",
        limit: 1,
        cursor: page1.nextCursor,
      });
      expect([...page1.items, ...page2.items].map((r) => r.id)).toEqual([eliBoth, danaTagged]);
      expect(page2.nextCursor).toBeNull();

      const bad = await expectTrpcError(t.owner.trpc.callLog.list.query({ answeredBy: "someone" }));
      expect(bad.data?.httpStatus).toBe(400);
      expect(bad.data?.fieldErrors?.answeredBy?.[0]).toMatch(/member of your team/);
    });

    it("the CSV carries who answered, the tags and the notes, and filters like the log", async () => {
      const t = await team();
      const id = await callOf(t, t.dana.id, new Date(Date.UTC(2026, 0, 15, 15, 30)));
      await callOf(t, null, new Date(Date.UTC(2026, 0, 15, 16, 0)));
      await t.dana.client.trpc.callLog.setTags.mutate({ id, tags: ["quote", "=cmd"] });
      // The notes' times are written in the account's timezone (America/New_York by default).
      const local = new Intl.DateTimeFormat("sv-SE", {
        timeZone: "America/New_York",
        dateStyle: "short",
        timeStyle: "short",
      });
      const at = local.format(h.clock.now());
      await t.dana.client.trpc.callLog.addNote.mutate({ id, body: 'Asked for "two" rooms' });
      h.clock.advance(60_000);
      const later = local.format(h.clock.now());
      await t.owner.trpc.callLog.addNote.mutate({ id, body: "Quote sent" });

      const csv = async (query: string) => {
        const res = await t.owner.fetch(`${h.url}/exports/calls.csv${query}`);
        expect(res.status).toBe(200);
        return (await res.text()).replace(/^\uFEFF/, "");
      };
      const all = await csv("");
      const [header, ...lines] = all.trimEnd().split("\r\n");
      expect(header).toMatch(/,Failure reason,Answered by,Tags,Notes,Test call,Language,/);
      expect(lines).toHaveLength(2);
      const tagged = await csv(`?tag=quote&answeredBy=${t.dana.id}&hasNotes=true`);
      const body = tagged.split("\r\n").slice(1).join("\r\n");
      expect(body).toContain(
        `,Dana Agent,quote; =cmd,"${at} Dana Agent: Asked for ""two"" rooms\n${later} Olive Owner: Quote sent",,,`,
      );
      expect(body.match(/\r\n/g)).toHaveLength(1);
      // A cell a spreadsheet would read as a formula is neutralized, the tags cell too.
      await t.dana.client.trpc.callLog.setTags.mutate({ id, tags: ["=cmd"] });
      expect(await csv("?tag=%3Dcmd")).toContain(",Dana Agent,'=cmd,");
      const badFilter = await t.owner.fetch(`${h.url}/exports/calls.csv?answeredBy=nobody`);
      expect(badFilter.status).toBe(400);
    });

    it("the data export carries callbacks' status, assignee and notes, and calls' tags and notes", async () => {
      const t = await team();
      const request = await callbackOf(t);
      await t.owner.trpc.callbacks.assign.mutate({ id: request, assigneeId: t.dana.id });
      await t.dana.client.trpc.callbacks.addNote.mutate({ id: request, body: "On it" });
      const call = await callOf(t, t.dana.id);
      await t.dana.client.trpc.callLog.setTags.mutate({ id: call, tags: ["vip"] });
      await t.dana.client.trpc.callLog.addNote.mutate({ id: call, body: "Regular customer" });

      const res = await t.owner.fetch(`${h.url}/exports/account.json`);
      expect(res.status).toBe(200);
      const data = (await res.json()) as { callbackRequests: unknown; callSessions: unknown };
      expect(data.callbackRequests).toEqual([
        expect.objectContaining({
          id: request,
          status: "assigned",
          assigneeId: t.dana.id,
          notes: [expect.objectContaining({ authorId: t.dana.id, body: "On it" })],
        }),
      ]);
      expect(data.callSessions).toEqual([
        expect.objectContaining({
          id: call,
          tags: ["vip"],
          notes: [expect.objectContaining({ authorId: t.dana.id, body: "Regular customer" })],
        }),
      ]);
    });
  });

  // Last: it moves the clock 30 days, past every session of the suite.
  it("account deletion removes the notes on its calls and callbacks", async () => {
    const t = await team();
    const request = await callbackOf(t);
    await t.owner.trpc.callbacks.addNote.mutate({ id: request, body: "Personal detail" });
    const call = await callOf(t, t.ownerId);
    await t.owner.trpc.callLog.addNote.mutate({ id: call, body: "Personal detail" });
    await t.owner.trpc.account.close.mutate({ password: t.ownerPassword });
    h.clock.advance(31 * DAY);
    await deleteClosedAccounts(h.ports);
    expect(await h.db.db.select().from(callNotes).where(eq(callNotes.accountId, t.accountId))).toEqual([]);
    expect(
      await h.db.db.select().from(callbackNotes).where(eq(callbackNotes.accountId, t.accountId)),
    ).toEqual([]);
  });
});
