import { accounts, callbackRequests, callSessions, type DbHandle } from "@cac/db";
import { createTestDb, insertMember } from "@cac/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeTag, noteBodySchema, tagListSchema } from "../src/domain/work-items";
import { AppError } from "../src/errors";
import { addCallNote, callWork, setCallTags } from "../src/services/call-log/work";
import { assignCallback, setCallbackStatus } from "../src/services/callback-work";
import { managesWork, memberNames } from "../src/services/member-directory";

describe("tags and notes, as both sides check them", () => {
  it("normalizes a tag: trimmed, one space inside, lower case", () => {
    expect(normalizeTag("  Sales \t Lead ")).toBe("sales lead");
    expect(tagListSchema.parse(["VIP", " vip", "Quote"])).toEqual(["vip", "quote"]);
  });

  it("refuses an empty or overlong tag, too many tags, control characters and an empty note", () => {
    expect(tagListSchema.safeParse([" "]).success).toBe(false);
    expect(tagListSchema.safeParse(["x".repeat(33)]).success).toBe(false);
    expect(tagListSchema.safeParse(["x".repeat(32)]).success).toBe(true);
    expect(tagListSchema.safeParse(Array.from({ length: 11 }, (_, i) => `t${i}`)).success).toBe(false);
    expect(tagListSchema.safeParse(["bad\u0000tag"]).success).toBe(false);
    expect(noteBodySchema.safeParse(" \n ").success).toBe(false);
    expect(noteBodySchema.parse(" two\nlines ")).toBe("two\nlines");
  });

  it("owners and admins manage work; agents do not", () => {
    expect([managesWork("owner"), managesWork("admin"), managesWork("agent")]).toEqual([true, true, false]);
  });
});

describe("work item services", () => {
  let handle: DbHandle;
  const clock = { now: () => new Date("2026-03-01T12:00:00Z") };
  let accountId: string;
  let ids: { owner: string; admin: string; agent: string; other: string };
  let otherAccount: string;

  beforeAll(async () => {
    handle = await createTestDb();
    const [a, b] = await handle.db
      .insert(accounts)
      .values([
        { companyName: "A", websiteUrl: "a.test", phone: "+12025550101" },
        { companyName: "B", websiteUrl: "b.test", phone: "+12025550102" },
      ])
      .returning({ id: accounts.id });
    accountId = a!.id;
    otherAccount = b!.id;
    const person = (account: string, name: string, role: "owner" | "admin" | "agent") =>
      insertMember(handle.db, {
        accountId: account,
        email: `${name.toLowerCase()}-${Math.random().toString(36).slice(2)}@example.test`,
        name,
        passwordHash: "!",
        role,
        ageConfirmedAt: clock.now(),
      });
    ids = {
      owner: await person(accountId, "Olive", "owner"),
      admin: await person(accountId, "Ada", "admin"),
      agent: await person(accountId, "Dana", "agent"),
      other: await person(otherAccount, "Bo", "owner"),
    };
  });
  afterAll(() => handle.close());

  const call = async (answeredBy: string | null) => {
    const [row] = await handle.db
      .insert(callSessions)
      .values({ accountId, transport: "webrtc", status: "completed", answeredBy })
      .returning({ id: callSessions.id });
    return row!.id;
  };

  it("lists the account's members only, by name", async () => {
    expect((await memberNames({ db: handle.db }, accountId)).map((m) => m.name)).toEqual([
      "Ada",
      "Dana",
      "Olive",
    ]);
  });

  it("an admin edits any call; an agent only the calls they answered", async () => {
    const deps = { db: handle.db, clock };
    const id = await call(ids.owner);
    // Ada acts as an admin here: the rule reads the role in the active account, whatever its source.
    const admin = { accountId, userId: ids.admin, role: "admin" };
    const agent = { accountId, userId: ids.agent, role: "agent" };
    expect(await setCallTags(deps, admin, id, ["vip"])).toEqual({ id, tags: ["vip"] });
    await expect(setCallTags(deps, agent, id, ["mine"])).rejects.toMatchObject({ appCode: "FORBIDDEN" });
    await expect(addCallNote(deps, agent, id, "mine")).rejects.toBeInstanceOf(AppError);
    const work = await callWork(deps, agent, id);
    expect(work).toMatchObject({
      tags: ["vip"],
      canEdit: false,
      answeredBy: { id: ids.owner, name: "Olive" },
    });
    const own = await call(ids.agent);
    await addCallNote(deps, agent, own, "Called about pricing");
    expect((await callWork(deps, agent, own)).notes.map((n) => n.body)).toEqual(["Called about pricing"]);
    // Another account's member reaches nothing: not found, not forbidden.
    const outsider = { accountId: otherAccount, userId: ids.other, role: "owner" };
    await expect(setCallTags(deps, outsider, id, [])).rejects.toMatchObject({ appCode: "NOT_FOUND" });
    await expect(addCallNote(deps, outsider, id, "x")).rejects.toMatchObject({ appCode: "NOT_FOUND" });
  });

  it("assigning moves a request to assigned, done keeps the assignee, new clears it", async () => {
    const deps = { db: handle.db, clock };
    const [request] = await handle.db
      .insert(callbackRequests)
      .values({ accountId, name: "Val", phone: "+12025550111" })
      .returning({ id: callbackRequests.id });
    const id = request!.id;
    expect(await assignCallback(deps, accountId, id, ids.agent)).toMatchObject({ status: "assigned" });
    expect(await setCallbackStatus(deps, accountId, id, "done")).toMatchObject({
      status: "done",
      assignee: { id: ids.agent, name: "Dana" },
      handledAt: clock.now(),
    });
    expect(await setCallbackStatus(deps, accountId, id, "new")).toEqual({
      id,
      status: "new",
      assignee: null,
      handledAt: null,
    });
    await expect(assignCallback(deps, accountId, id, ids.other)).rejects.toMatchObject({
      appCode: "NOT_FOUND",
    });
    await expect(assignCallback(deps, otherAccount, id, ids.other)).rejects.toMatchObject({
      appCode: "NOT_FOUND",
    });
  });
});
