/**
 * What the browsers receive is declared, not whatever a service returned. Every query and mutation
 * has an output schema (`.output()`), tRPC parses each answer through it, and zod objects drop the
 * keys they do not name. So a column added to a table, or a row a service returns whole, reaches
 * no portal and no widget until someone adds it to the router's schema on purpose.
 *
 * The services are replaced here (vi.mock of `@cac/core`) by ones that return rows with more than
 * the view: an `accountId`, a token hash, a column that does not exist yet. The procedures are the
 * real ones, called through the real tiers.
 */
import type { Context, SessionAuth } from "@cac/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { z } from "zod";
import { appRouter } from "../src/routers/app";
import { createCallerFactory } from "../src/trpc";

/** A column a service might start returning tomorrow: it must reach no browser. */
const NEW_COLUMN = { internalNote: "never-shown-internal-note" };
const ACCOUNT_ID = "00000000-0000-4000-8000-00000000000a";
const NOW = new Date("2026-03-02T15:00:00Z");

vi.mock("@cac/core", async (importOriginal) => {
  const core = await importOriginal<typeof import("@cac/core")>();
  return {
    ...core,
    // The tiers' checks that read the database: a signed-in owner, and an enabled, verified button.
    requireSession: vi.fn(),
    findButtonByPublicId: vi.fn(),
    loadWidgetVisit: vi.fn(),
    guardWidgetEntry: vi.fn(async () => {}),
    // The services whose rows are checked below.
    getButton: vi.fn(),
    listButtons: vi.fn(),
    listCallbackRequests: vi.fn(),
    resolveCallLogFilter: vi.fn(async () => ({})),
    listCallLog: vi.fn(),
    listSessions: vi.fn(),
    listIpBlocks: vi.fn(),
    currentNotice: vi.fn(),
    answerCall: vi.fn(),
    startCall: vi.fn(),
  };
});

const core = vi.mocked(await import("@cac/core"));

type AnyProcedure = { _def: { type: string; output?: z.core.$ZodType } };
const procedures = Object.entries(
  (appRouter._def as unknown as { procedures: Record<string, AnyProcedure> }).procedures,
);

const auth = {
  session: { id: "s1", createdAt: NOW, lastVerifiedAt: NOW },
  user: {
    id: "00000000-0000-4000-8000-0000000000u1",
    accountId: ACCOUNT_ID,
    email: "owner@example.test",
    name: "Owner",
    role: "owner",
    emailVerifiedAt: NOW,
    passwordHash: "$argon2id$secret-hash",
  },
  account: { id: ACCOUNT_ID, timezone: "America/New_York", status: "active" },
} as unknown as SessionAuth;

/** A button row as the database holds it: its account key, and a column no view names. */
function buttonRow() {
  return {
    id: "00000000-0000-4000-8000-0000000000b1",
    accountId: ACCOUNT_ID,
    publicId: "b_public",
    name: "Main",
    label: "Call us",
    enabled: true,
    style: {
      background: "#1d4ed8",
      text: "#ffffff",
      size: "medium",
      shape: "pill",
      position: "bottom-right",
      icon: "phone",
    },
    logoKey: null,
    logoBytes: null,
    phoneNumber: null,
    ringPortal: true,
    collectContext: true,
    language: "auto",
    texts: {},
    timezone: "America/New_York",
    hours: [[], [], [], [], [], [], []],
    holidays: [],
    closedBehavior: "message",
    theme: "light",
    allowedDomains: ["shop.example.test"],
    conversionEvents: false,
    disabledReason: null,
    createdAt: NOW,
    updatedAt: NOW,
    ...NEW_COLUMN,
  } as const;
}

function contextFor(origin = "https://portal.example.test"): Context {
  return {
    clock: { now: () => NOW },
    log: { warn: () => {}, info: () => {}, error: () => {} },
    captcha: { siteKey: null },
    settings: {
      publicUrl: new URL("https://portal.example.test"),
      production: false,
      operatorEmails: [],
      calls: {
        ringTimeoutSeconds: 30,
        iceServers: [{ urls: "stun:stun.example.test:3478" }],
        turn: { urls: ["turn:turn.example.test:3478"], secret: "turn-shared-secret" },
        iceTransportPolicy: "relay",
      },
      modes: {},
    },
    http: {
      method: "POST",
      ip: "203.0.113.5",
      peerIp: "203.0.113.5",
      forwarded: false,
      origin,
      contentType: "application/json",
      userAgent: undefined,
      getCookie: () => undefined,
      setCookie: () => {},
      clearCookie: () => {},
      serverClosing: new AbortController().signal,
    },
  } as unknown as Context;
}

const caller = (origin?: string) => createCallerFactory(appRouter)(contextFor(origin));

/** Every key anywhere in a value (objects in arrays too). */
function keysOf(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) keysOf(item, found);
  else if (value && typeof value === "object" && !(value instanceof Date)) {
    for (const [key, inner] of Object.entries(value)) {
      found.add(key);
      keysOf(inner, found);
    }
  }
  return found;
}

function expectNothingUndeclared(answer: unknown, forbidden: string[]) {
  const keys = keysOf(answer);
  for (const key of [...forbidden, "internalNote"]) expect(keys.has(key), `answered with ${key}`).toBe(false);
  expect(JSON.stringify(answer)).not.toContain(NEW_COLUMN.internalNote);
}

beforeEach(() => {
  core.requireSession.mockResolvedValue(auth);
  core.findButtonByPublicId.mockResolvedValue({ ...buttonRow(), accountVerified: true } as never);
  // An entry point reads its button with the visit's facts (the call start itself is mocked).
  core.loadWidgetVisit.mockResolvedValue({
    button: { ...buttonRow(), accountVerified: true },
    block: null,
    call: { now: NOW, usage: {}, activity: {} },
  } as never);
});

describe("every answer is declared", () => {
  it("every query and mutation has an output schema (subscriptions stream events instead)", () => {
    const queriesAndMutations = procedures.filter(([, p]) => p._def.type !== "subscription");
    expect(queriesAndMutations.length).toBeGreaterThan(50);
    const undeclared = queriesAndMutations.filter(([, p]) => !p._def.output).map(([path]) => path);
    expect(undeclared, "give these procedures an .output() schema").toEqual([]);
  });

  /** Where an output schema admits a key it does not name, or a value of any shape. */
  function openings(schema: z.core.$ZodType, where: string, found: string[] = []): string[] {
    // biome-ignore lint/suspicious/noExplicitAny: walking zod's definitions, whose shape depends on `type`
    const def = schema._zod.def as any;
    const visit = (inner: z.core.$ZodType | undefined, suffix = "") => {
      if (inner) openings(inner, `${where}${suffix}`, found);
    };
    switch (def.type) {
      case "any":
      case "unknown":
        found.push(`${where}: any value`);
        break;
      case "object":
        // z.looseObject / .passthrough() / .catchall(...) let undeclared keys through.
        if (def.catchall && def.catchall._zod.def.type !== "never") found.push(`${where}: undeclared keys`);
        for (const [key, value] of Object.entries(def.shape)) visit(value as z.core.$ZodType, `.${key}`);
        break;
      case "array":
        visit(def.element, "[]");
        break;
      case "union":
        for (const option of def.options) visit(option);
        break;
      case "record":
        visit(def.valueType, "{}");
        break;
      case "pipe":
        visit(def.in);
        visit(def.out);
        break;
      case "optional":
      case "nullable":
      case "default":
      case "readonly":
        visit(def.innerType);
        break;
      default:
        break;
    }
    return found;
  }

  it("no output schema lets an undeclared key or an untyped value through", () => {
    // The one open value: a security event's detail (limits, counts) for Click & Call's operators.
    const allowed = ["abuse.events.items[].detail{}: any value"];
    const open = procedures
      .flatMap(([path, p]) => (p._def.output ? openings(p._def.output, path) : []))
      .filter((where) => !allowed.includes(where));
    expect(open).toEqual([]);
  });
});

describe("a row with more than the view reaches no browser", () => {
  it("buttons.get and buttons.list: no account key, no new column", async () => {
    core.getButton.mockResolvedValue(buttonRow() as never);
    core.listButtons.mockResolvedValue([buttonRow(), buttonRow()] as never);
    const one = await caller().buttons.get({ id: buttonRow().id });
    expect(one).toMatchObject({ id: buttonRow().id, publicId: "b_public", snippet: expect.any(String) });
    expectNothingUndeclared(one, ["accountId"]);
    const list = await caller().buttons.list();
    expect(list).toHaveLength(2);
    expectNothingUndeclared(list, ["accountId"]);
  });

  it("callbacks.list", async () => {
    core.listCallbackRequests.mockResolvedValue({
      items: [
        {
          id: "cb1",
          accountId: ACCOUNT_ID,
          buttonId: null,
          name: "Visitor",
          phone: "+12025550111",
          message: null,
          visitorIp: "203.0.113.7",
          status: "assigned",
          assignee: { id: "u2", name: "Dana", email: "dana@example.test" },
          noteCount: 1,
          handledAt: null,
          createdAt: NOW,
          source: "Facebook",
          utmCampaign: null,
          language: "es",
          ...NEW_COLUMN,
        },
      ],
      nextCursor: null,
    } as never);
    const page = await caller().callbacks.list({ onlyOpen: false });
    expect(page.items.map((item) => item.name)).toEqual(["Visitor"]);
    expect(page.items[0]?.assignee).toEqual({ id: "u2", name: "Dana" });
    expectNothingUndeclared(page, ["accountId", "visitorIp", "email"]);
  });

  it("callLog.list", async () => {
    core.listCallLog.mockResolvedValue({
      timezone: "America/New_York",
      items: [
        {
          id: "c1",
          accountId: ACCOUNT_ID,
          visitorTokenHash: "token-hash",
          startedAt: NOW,
          button: { id: null, name: "Deleted button", accountId: ACCOUNT_ID },
          durationSeconds: 61,
          status: "completed",
          transport: "webrtc",
          visitorIp: "203.0.113.7",
          pageUrl: null,
          failureReason: null,
          answeredBy: "Dana",
          tags: ["vip"],
          hasNotes: true,
          test: false,
          source: "Google Ads",
          campaign: "spring-sale",
          language: null,
          lastNoteAt: NOW,
          ...NEW_COLUMN,
        },
      ],
      nextCursor: null,
    } as never);
    const page = await caller().callLog.list({});
    expect(page.items[0]).toMatchObject({
      id: "c1",
      durationSeconds: 61,
      button: { name: "Deleted button" },
    });
    expect(page.items[0]).toMatchObject({ answeredBy: "Dana", tags: ["vip"], hasNotes: true, test: false });
    expectNothingUndeclared(page, ["accountId", "visitorTokenHash", "lastNoteAt"]);
  });

  it("account.sessions, abuse.listBlocks and policy.current", async () => {
    core.listSessions.mockResolvedValue([
      {
        id: "s1",
        userId: auth.user.id,
        tokenHash: "session-token-hash",
        createdAt: NOW,
        lastUsedAt: NOW,
        ip: null,
        userAgent: null,
        current: true,
        ...NEW_COLUMN,
      },
    ] as never);
    core.listIpBlocks.mockResolvedValue([
      {
        id: "f1",
        ip: "203.0.113.9",
        reason: "spam",
        createdAt: NOW,
        accountId: ACCOUNT_ID,
        source: "customer",
        ...NEW_COLUMN,
      },
    ] as never);
    core.currentNotice.mockResolvedValue({
      id: "n1",
      version: "v2",
      summary: "What changed",
      effectiveAt: NOW,
      publishedAt: NOW,
      dismissedAt: null,
      ...NEW_COLUMN,
    } as never);
    const sessions = await caller().account.sessions();
    expect(sessions[0]?.current).toBe(true);
    expectNothingUndeclared(sessions, ["userId", "tokenHash"]);
    expectNothingUndeclared(await caller().abuse.listBlocks(), ["accountId", "source"]);
    const notice = await caller().policy.current();
    expect(notice?.version).toBe("v2");
    expectNothingUndeclared(notice, ["dismissedAt"]);
  });

  it("phone.answer keeps the ICE servers, this call's TURN credential, the policy and the time limit", async () => {
    core.answerCall.mockResolvedValue({
      call: { id: "00000000-0000-4000-8000-0000000000c1", accountId: ACCOUNT_ID, visitorTokenHash: "h" },
      maxCallSeconds: 600,
    } as never);
    const answer = await caller().phone.answer({ sessionId: "00000000-0000-4000-8000-0000000000c1" });
    expect(answer).toEqual({
      sessionId: "00000000-0000-4000-8000-0000000000c1",
      iceServers: [
        { urls: "stun:stun.example.test:3478" },
        {
          urls: ["turn:turn.example.test:3478"],
          username: expect.stringMatching(/^\d+:00000000-0000-4000-8000-0000000000c1$/),
          credential: expect.any(String),
        },
      ],
      iceTransportPolicy: "relay",
      maxCallSeconds: 600,
    });
  });

  it("calls.start gives the widget its capability and ICE servers, and nothing else of the call", async () => {
    core.startCall.mockResolvedValue({
      transport: "webrtc",
      sessionId: "c2",
      token: "visitor-capability-token",
      ringTimeoutSeconds: 30,
      iceServers: [{ urls: "turn:turn.example.test", username: "1:c2", credential: "cred", secret: "x" }],
      iceTransportPolicy: "all",
      accountId: ACCOUNT_ID,
      visitorTokenHash: "token-hash",
      ...NEW_COLUMN,
    } as never);
    const started = await caller("https://shop.example.test").calls.start({ button: "b_public" });
    expect(started).toEqual({
      transport: "webrtc",
      sessionId: "c2",
      token: "visitor-capability-token",
      ringTimeoutSeconds: 30,
      iceServers: [{ urls: "turn:turn.example.test", username: "1:c2", credential: "cred" }],
      iceTransportPolicy: "all",
    });
  });
});
