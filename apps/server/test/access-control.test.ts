/**
 * Access control across every procedure.
 *
 * Two accounts, A and B, each with data. Every procedure of the app router must have a row in
 * `cases` below, with the tier it is built on (checked against its middlewares). The table is a
 * `Record<ProcedurePath, Case>`, keyed by the router's own type, so a new procedure without a row
 * fails typecheck (and this suite). Then:
 * - every authed/admin/owner/operator procedure refuses an anonymous caller with UNAUTHORIZED;
 * - every authed/admin/owner procedure, called as A with B's ids, answers NOT_FOUND or FORBIDDEN (or,
 *   when it takes no ids, works on A's own data only), never shows B's data, and leaves every
 *   row of B's unchanged;
 * - every operator procedure refuses a verified customer who is not an operator with FORBIDDEN;
 * - every public entry point of the widget (tier `widget-entry`) goes through the whole guard
 *   chain, and every other widget procedure acts on a call by its capability token.
 *
 * To extend: add B's (and A's) objects in `createParty`, then one row per new procedure (and one per
 * guarded Fastify route, in `routeCases`: the same checks over plain HTTP). What each role of an
 * account (owner, admin, agent) may call is access-control-roles.test.ts's table.
 */
import { createHash } from "node:crypto";
import { defaultLimits, refusalKind, type WidgetEntry, widgetEntries } from "@cac/core";
import { ipKey } from "@cac/core/domain";
import * as schema from "@cac/db";
import {
  abuseFlags,
  accounts,
  callbackRequests,
  callSessions,
  emailQueue,
  memberships,
  outboxMessages,
  pushSubscriptions,
  securityEvents,
} from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import * as tiers from "@cac/trpc";
import { appRouter, type ProcedurePath } from "@cac/trpc";
import { eq, getTableColumns, inArray, or, type SQL, sql, Table } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PortalRoute, portalRoutes } from "../src/routes/guard";
import { validButton } from "./fixtures/buttons";
import {
  expectTrpcError,
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  unique,
  uniqueIp,
} from "./harness";

type Tier = "public" | "widget" | "widget-entry" | "authed" | "admin" | "owner" | "operator";

/** What one account owns; ids are what a curious or malicious other account would try. */
type Party = {
  email: string;
  password: string;
  client: TestClient;
  userId: string;
  accountId: string;
  companyName: string;
  /** A second session (another device), the target of revokeSession. */
  otherSessionId: string;
  buttonId: string;
  buttonPublicId: string;
  callbackId: string;
  callbackName: string;
  /** A browser call ringing on the party's button. */
  callSessionId: string;
  /** An invitation the party sent, still open. */
  invitationId: string;
  /** The text of the party's notes on its callback request and its call, and the call's tag. */
  noteBody: string;
  callTag: string;
  /** A browser the party's user subscribed to push (stored as is: push is off in this suite). */
  pushDeviceId: string;
  pushEndpoint: string;
};

type World = { h: Harness; a: Party; b: Party };

type CrossAccount =
  /** The input names B's objects: the answer must be NOT_FOUND or FORBIDDEN. */
  | { kind: "foreign-ids"; input: (w: World) => unknown }
  /**
   * The input names no object: the call acts on A's own data and must show none of B's. With
   * `mayFail` (why), a domain refusal is accepted too (e.g. billing off here); it must still show
   * none of B's data.
   */
  | { kind: "own-scope"; input?: (w: World) => unknown; mayFail?: string };

/** One check, or several (e.g. a filter by B's button id, and the unfiltered list). */
type CrossChecks = CrossAccount | CrossAccount[];

type Case =
  | { tier: "public"; why: string; crossAccount?: CrossChecks }
  | { tier: "widget"; why: string }
  /** A public entry point of the widget: `input` is a valid request on the given button. */
  | { tier: "widget-entry"; why: string; input: (button: string) => Record<string, unknown> }
  | { tier: "authed" | "admin" | "owner"; crossAccount: CrossChecks }
  | { tier: "operator"; input?: (w: World) => unknown };

/** A request to one of the guarded Fastify routes: its query string, and a body for a POST. */
/** `params` fill the route's path parameters (`:publicId`). */
type RouteRequest = { query?: string; body?: () => FormData; params?: Record<string, string> };

type RouteCase = {
  /** The tier its guard declares (routes/guard.ts), checked against the route table. */
  tier: "authed" | "admin" | "owner";
  /** A request the route would serve for A (sent anonymously, with a forged cookie, from elsewhere). */
  request: (w: World) => RouteRequest;
  /**
   * A naming B's object: the answer must be 404 or 403. Absent when the route names no object: A's
   * own answer must then hold none of B's data.
   */
  foreign?: (w: World) => RouteRequest;
};

/** A logo upload's form; its bytes are never read when the guards or the button refuse it. */
function logoForm(): FormData {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }), "logo.png");
  return form;
}

/**
 * One row per guarded Fastify route (`portalRoutes` in routes/guard.ts, from which the routes are
 * registered): a new route without a row fails typecheck.
 */
const routeCases: Record<PortalRoute, RouteCase> = {
  "POST /uploads/logo": {
    tier: "admin",
    request: ({ a }) => ({ query: `?button=${a.buttonId}`, body: logoForm }),
    foreign: ({ b }) => ({ query: `?button=${b.buttonId}`, body: logoForm }),
  },
  "GET /exports/calls.csv": {
    tier: "admin",
    request: () => ({}),
    foreign: ({ b }) => ({ query: `?buttonId=${b.buttonId}` }),
  },
  "GET /exports/account.json": { tier: "owner", request: () => ({}) },
  "GET /try/:publicId": {
    tier: "authed",
    request: ({ a }) => ({ params: { publicId: a.buttonPublicId } }),
    foreign: ({ b }) => ({ params: { publicId: b.buttonPublicId } }),
  },
};

/** A valid button whose creation does not depend on the plan (it starts disabled). */
function buttonInput(name: string) {
  return validButton({ name, enabled: false, allowedDomains: ["shop.example.test"] });
}

/** One row per procedure: a missing row is a type error, a stale one too (excess property). */
const cases: Record<ProcedurePath, Case> = {
  "auth.signup": { tier: "public", why: "creating an account" },
  "auth.verifyEmail": { tier: "public", why: "the emailed link is the credential" },
  "auth.login": { tier: "public", why: "logging in" },
  "auth.requestPasswordReset": { tier: "public", why: "answers the same for any email" },
  "auth.resetPassword": { tier: "public", why: "the emailed link is the credential" },
  "auth.resendVerification": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "auth.logout": { tier: "authed", crossAccount: { kind: "own-scope" } },

  "account.me": {
    tier: "public",
    why: "answers null when logged out",
    crossAccount: { kind: "own-scope" },
  },
  "account.updateProfile": {
    tier: "authed",
    crossAccount: {
      kind: "own-scope",
      input: () => ({ name: "A Renamed", companyName: "A Renamed Inc", phone: "(202) 555-0188" }),
    },
  },
  "account.updateTimezone": {
    tier: "admin",
    // The zone the suite's accounts already have: other rows read A's dates in it.
    crossAccount: { kind: "own-scope", input: () => ({ timezone: "America/New_York" }) },
  },
  "account.changePassword": {
    tier: "authed",
    crossAccount: {
      kind: "own-scope",
      input: ({ a }) => ({ currentPassword: a.password, newPassword: a.password }),
    },
  },
  "account.sessions": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "account.revokeSession": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ sessionId: b.otherSessionId }) },
  },
  "account.revokeOtherSessions": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "account.closure": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "account.close": {
    tier: "owner",
    crossAccount: {
      kind: "own-scope",
      input: () => ({ password: "not-the-password-of-anyone" }),
      mayFail: "a wrong password closes nothing (the right one would close A for the rest of the suite)",
    },
  },
  // A is active: reopening is a no-op that answers A's own status.
  "account.reopen": { tier: "owner", crossAccount: { kind: "own-scope" } },

  "system.info": { tier: "public", why: "which adapters run; no account data" },
  "contact.send": { tier: "public", why: "the public contact form; stores the message, shows nothing back" },
  "system.devOutbox": {
    tier: "public",
    why: "development only (NOT_FOUND in production, see headers.test.ts) and only to a direct loopback connection (FORBIDDEN otherwise, see dev-outbox.test.ts): the dev outbox shows every email so a developer can follow links before logging in",
  },

  "buttons.list": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "buttons.get": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.buttonId }) },
  },
  "buttons.create": {
    tier: "admin",
    crossAccount: { kind: "own-scope", input: () => buttonInput("A's new button") },
  },
  "buttons.update": {
    tier: "admin",
    crossAccount: {
      kind: "foreign-ids",
      input: ({ b }) => ({ id: b.buttonId, fields: buttonInput("Hijacked by A") }),
    },
  },
  "buttons.setEnabled": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.buttonId, enabled: false }) },
  },
  "buttons.duplicate": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.buttonId }) },
  },
  "buttons.delete": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.buttonId }) },
  },
  "buttons.removeLogo": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.buttonId }) },
  },
  "buttons.routing": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.buttonId }) },
  },
  "buttons.setRouting": {
    tier: "admin",
    crossAccount: {
      kind: "foreign-ids",
      input: ({ b }) => ({ id: b.buttonId, who: "all", strategy: "in-order", stepSeconds: 10, members: [] }),
    },
  },
  "buttons.installs": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "buttons.emailInstructions": {
    tier: "admin",
    crossAccount: {
      kind: "foreign-ids",
      input: ({ b }) => ({ id: b.buttonId, to: "dev@example.com", platform: "html" as const }),
    },
  },

  "callbacks.list": {
    tier: "authed",
    crossAccount: { kind: "own-scope", input: () => ({ onlyOpen: false }) },
  },
  "callbacks.setHandled": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.callbackId, handled: true }) },
  },
  "callbacks.assignees": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "callbacks.assign": {
    tier: "authed",
    crossAccount: [
      // B's request, assigned to A: refused.
      { kind: "foreign-ids", input: ({ a, b }) => ({ id: b.callbackId, assigneeId: a.userId }) },
      // A's own request, assigned to B's user: refused (B is no member of A's account).
      { kind: "foreign-ids", input: ({ a, b }) => ({ id: a.callbackId, assigneeId: b.userId }) },
    ],
  },
  "callbacks.setStatus": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.callbackId, status: "done" }) },
  },
  "callbacks.notes": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.callbackId }) },
  },
  "callbacks.addNote": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.callbackId, body: "A was here" }) },
  },

  "phone.setAvailable": {
    tier: "authed",
    crossAccount: { kind: "own-scope", input: () => ({ available: true }) },
  },
  "phone.events": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "phone.availability": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "phone.setHours": {
    tier: "authed",
    crossAccount: {
      kind: "own-scope",
      input: () => ({ hours: [[], [{ start: 540, end: 1020 }], [], [], [], [], []] }),
    },
  },
  "phone.answer": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ sessionId: b.callSessionId }) },
  },
  "phone.decline": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ sessionId: b.callSessionId }) },
  },
  "phone.signal": {
    tier: "authed",
    crossAccount: {
      kind: "foreign-ids",
      input: ({ b }) => ({ sessionId: b.callSessionId, payload: { kind: "offer", sdp: "v=0" } }),
    },
  },
  "phone.hangUp": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ sessionId: b.callSessionId }) },
  },
  "phone.voiceLine": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "phone.callState": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ callId: b.callSessionId }) },
  },

  "calls.start": {
    tier: "widget-entry",
    why: "a visitor starts a call on a button's allowed site",
    input: (button) => ({ button }),
  },
  "calls.events": { tier: "widget", why: "the visitor's call, authorized by its capability token" },
  "calls.signal": { tier: "widget", why: "the visitor's call, authorized by its capability token" },
  "calls.hangUp": { tier: "widget", why: "the visitor's call, authorized by its capability token" },
  "calls.reportFailure": { tier: "widget", why: "the visitor's call, authorized by its capability token" },

  "dashboard.overview": { tier: "authed", crossAccount: { kind: "own-scope" } },

  "callLog.list": {
    tier: "authed",
    crossAccount: [
      { kind: "foreign-ids", input: ({ b }) => ({ buttonId: b.buttonId }) },
      { kind: "own-scope", input: () => ({}) },
      // B's member as "answered by": A's log, never B's calls.
      { kind: "own-scope", input: ({ b }) => ({ answeredBy: b.userId }) },
    ],
  },
  "callLog.totals": {
    tier: "authed",
    crossAccount: [
      { kind: "foreign-ids", input: ({ b }) => ({ buttonId: b.buttonId }) },
      { kind: "own-scope", input: () => ({}) },
    ],
  },
  "callLog.charts": {
    tier: "authed",
    crossAccount: [
      { kind: "foreign-ids", input: ({ b }) => ({ buttonId: b.buttonId }) },
      { kind: "own-scope", input: () => ({}) },
    ],
  },
  "callLog.sources": {
    tier: "authed",
    crossAccount: [
      { kind: "foreign-ids", input: ({ b }) => ({ buttonId: b.buttonId }) },
      { kind: "own-scope", input: () => ({}) },
    ],
  },
  "callLog.live": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "callLog.contextOptions": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "callLog.work": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.callSessionId }) },
  },
  "callLog.setTags": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.callSessionId, tags: ["hijacked"] }) },
  },
  "callLog.addNote": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.callSessionId, body: "A was here" }) },
  },

  "billing.overview": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "billing.plans": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "billing.checkout": {
    tier: "owner",
    crossAccount: {
      kind: "own-scope",
      input: () => ({ plan: "starter" }),
      mayFail: "billing is off in this suite",
    },
  },
  "billing.portal": {
    tier: "owner",
    crossAccount: { kind: "own-scope", mayFail: "billing is off in this suite" },
  },

  "abuse.blockIp": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ callId: b.callSessionId }) },
  },
  // B blocks the same IP (see createParty): A's unblock must leave B's block alone.
  "abuse.unblockIp": {
    tier: "admin",
    crossAccount: { kind: "own-scope", input: () => ({ ip: PARTY_BLOCKED_IP }) },
  },
  "abuse.listBlocks": { tier: "admin", crossAccount: { kind: "own-scope" } },
  "abuse.flags": { tier: "operator", input: () => ({ status: "all" }) },
  "abuse.clearFlag": { tier: "operator", input: () => ({ id: "00000000-0000-4000-8000-000000000000" }) },
  "abuse.addBlock": { tier: "operator", input: () => ({ ip: "192.0.2.77", reason: "access-control test" }) },
  "abuse.events": { tier: "operator", input: () => ({ ip: "203.0.113.9" }) },

  "policy.publish": {
    tier: "operator",
    input: () => ({
      version: unique("v"),
      summary: "A notice nobody may publish here.",
      effectiveAt: "2026-04-01",
    }),
  },
  "policy.list": { tier: "operator" },
  "policy.current": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "policy.dismiss": {
    tier: "authed",
    crossAccount: {
      kind: "own-scope",
      // Notices belong to no account; this one does not exist, and A's dismissals are A's alone.
      input: () => ({ noticeId: "00000000-0000-4000-8000-000000000000" }),
      mayFail: "no notice is published in this suite",
    },
  },

  "notifications.config": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "notifications.devices": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "notifications.subscribe": {
    tier: "authed",
    crossAccount: {
      kind: "own-scope",
      input: () => ({
        endpoint: `https://push.example.test/send/${unique()}`,
        keys: {
          p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u",
          auth: "tBHItJI5svbpez7KI4CCXg",
        },
        label: "Chrome on Linux",
      }),
      mayFail: "push is off in this suite (no VAPID keys): subscribing is refused",
    },
  },
  "notifications.touch": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ endpoint: b.pushEndpoint }) },
  },
  "notifications.unsubscribe": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.pushDeviceId }) },
  },
  "notifications.preferences": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "notifications.updatePreferences": {
    tier: "authed",
    crossAccount: { kind: "own-scope", input: () => ({ emailDailySummary: true }) },
  },
  "notifications.sendTest": {
    tier: "authed",
    crossAccount: { kind: "own-scope", mayFail: "push is off in this suite (no VAPID keys)" },
  },

  "team.members": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "team.presence": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "team.seats": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "team.changeRole": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ userId: b.userId, role: "agent" }) },
  },
  "team.remove": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ userId: b.userId }) },
  },
  "team.leave": {
    tier: "authed",
    crossAccount: { kind: "own-scope", mayFail: "A is its account's only owner, who cannot leave" },
  },
  "team.accounts": { tier: "authed", crossAccount: { kind: "own-scope" } },
  "team.switchAccount": {
    tier: "authed",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ accountId: b.accountId }) },
  },
  "team.invitations": { tier: "admin", crossAccount: { kind: "own-scope" } },
  "team.invite": {
    tier: "admin",
    crossAccount: {
      kind: "own-scope",
      input: () => ({ email: `invitee-${unique()}@example.test`, role: "agent" }),
    },
  },
  "team.resendInvitation": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.invitationId }) },
  },
  "team.revokeInvitation": {
    tier: "admin",
    crossAccount: { kind: "foreign-ids", input: ({ b }) => ({ id: b.invitationId }) },
  },
  "team.invitation": { tier: "public", why: "the emailed link is the credential (throttled per IP)" },
  "team.acceptWithNewLogin": { tier: "public", why: "the emailed link is the credential (throttled per IP)" },
  "team.acceptWithPassword": {
    tier: "public",
    why: "the emailed link and the login's password are the credentials (throttled per IP and address)",
  },
  "team.acceptInvitation": {
    tier: "authed",
    crossAccount: {
      kind: "own-scope",
      input: () => ({ token: "not-a-token-of-anyone-at-all" }),
      mayFail: "B's links are known only to B's invitees; an unknown one is refused",
    },
  },

  "widget.requestCallback": {
    tier: "widget-entry",
    why: "visitors on third-party sites; checked against the button's allowed domains, never cookies",
    input: (button) => ({ button, name: "Guard Check", phone: "(202) 555-0177" }),
  },
  "widget.callable": {
    tier: "widget-entry",
    why: "the widget asks, before it offers a call, whether the button can take one now (yes or no)",
    input: (button) => ({ button }),
  },
};

type AnyProcedure = {
  _def: {
    type: "query" | "mutation" | "subscription";
    middlewares: unknown[];
    inputs: unknown[];
    meta?: { widgetEntry?: WidgetEntry };
  };
};

const procedures = (appRouter as unknown as { _def: { procedures: Record<ProcedurePath, AnyProcedure> } })
  ._def.procedures;

const tierBuilders: Array<[Tier, AnyProcedure]> = [
  ["operator", tiers.operatorProcedure as unknown as AnyProcedure],
  ["owner", tiers.ownerProcedure as unknown as AnyProcedure],
  ["admin", tiers.adminProcedure as unknown as AnyProcedure],
  ["authed", tiers.authedProcedure as unknown as AnyProcedure],
  ["widget", tiers.widgetProcedure as unknown as AnyProcedure],
  ["public", tiers.publicProcedure as unknown as AnyProcedure],
];

/** The entry guards' one middleware, which only `widgetEntryProcedure` puts in a chain. */
const entryGuards = (tiers.widgetEntryGuards as unknown as { _middlewares: unknown[] })._middlewares[0];

/** The most specific tier whose middlewares start this procedure's chain, by identity. */
function detectTier(procedure: AnyProcedure): Tier | "none" {
  const chain = procedure._def.middlewares;
  if (chain.includes(entryGuards)) {
    const widget = tiers.widgetProcedure as unknown as AnyProcedure;
    return widget._def.middlewares.every((mw, i) => chain[i] === mw) ? "widget-entry" : "none";
  }
  for (const [tier, builder] of tierBuilders) {
    const prefix = builder._def.middlewares;
    if (prefix.length <= chain.length && prefix.every((mw, i) => chain[i] === mw)) return tier;
  }
  return "none";
}

function crossChecks(c: Case): CrossAccount[] {
  if (!("crossAccount" in c) || !c.crossAccount) return [];
  return Array.isArray(c.crossAccount) ? c.crossAccount : [c.crossAccount];
}

/** A valid input for calling the procedure at all (anonymous and forged-cookie checks). */
function anyInput(c: Case, w: World): unknown {
  if (c.tier === "operator") return c.input?.(w);
  return crossChecks(c)[0]?.input?.(w);
}

let harnessForSse: Harness;

/**
 * Calls a procedure as `client`. A subscription is opened over SSE and read for a moment: an
 * error event is thrown like a query's error, otherwise the events read so far are the answer.
 */
async function call(client: TestClient, path: ProcedurePath, input: unknown): Promise<unknown> {
  const type = procedures[path]!._def.type;
  if (type === "subscription") return readSubscription(client, path, input);
  // biome-ignore lint/suspicious/noExplicitAny: walks the client's proxy by a path known only at run time
  let node: any = client.trpc;
  for (const segment of path.split(".")) node = node[segment];
  return type === "query" ? node.query(input) : node.mutate(input);
}

class SubscriptionError extends Error {
  constructor(
    readonly data: { code: string; httpStatus: number },
    message: string,
  ) {
    super(message);
  }
}

async function readSubscription(client: TestClient, path: string, input: unknown, ms = 400) {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  let text = "";
  try {
    const res = await client.fetch(`${harnessForSse.url}/trpc/${path}${query}`, {
      headers: { accept: "text/event-stream" },
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      if (text.includes("event: serialized-error")) break;
    }
    await reader.cancel().catch(() => {});
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  const events = text
    .split("\n\n")
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1],
      data: /^data: (.*)$/m.exec(block)?.[1],
    }))
    .filter((e) => e.data !== undefined);
  const failure = events.find((e) => e.event === "serialized-error");
  if (failure) {
    const body = JSON.parse(failure.data!).json;
    throw new SubscriptionError(body.data, body.message);
  }
  return events;
}

async function expectFailure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SubscriptionError) return { data: error.data, message: error.message, shape: null };
    return expectTrpcError(Promise.reject(error));
  }
  throw new Error("expected the call to fail");
}

/**
 * Every row of `accountId`'s: each table with an account_id or user_id column, plus its outbox and
 * the email queue's rows for its address (taken once the queue's due work is done).
 */
async function snapshotOf(h: Harness, party: Pick<Party, "accountId" | "email">) {
  await h.flushEmail();
  const db = h.db.db;
  const userIds = (
    await db
      .select({ id: memberships.userId })
      .from(memberships)
      .where(eq(memberships.accountId, party.accountId))
  ).map((u) => u.id);
  const snapshot: Record<string, unknown[]> = {};
  for (const [name, table] of Object.entries(schema)) {
    if (!(table instanceof Table)) continue;
    const columns = getTableColumns(table) as Record<string, Parameters<typeof eq>[0]>;
    let where: SQL | undefined;
    if (table === accounts) where = eq(accounts.id, party.accountId);
    else if (columns.accountId) where = eq(columns.accountId, party.accountId);
    else if (columns.userId && userIds.length) where = inArray(columns.userId, userIds);
    else if (table === outboxMessages) where = eq(outboxMessages.to, party.email);
    else if (table === emailQueue)
      where = or(
        sql`${emailQueue.payload}->>'to' = ${party.email}`,
        sql`${emailQueue.payload}->>'email' = ${party.email}`,
      );
    else continue;
    const rows = await db
      .select()
      .from(table as PgTable)
      .where(where);
    snapshot[name] = (rows as Array<{ id?: unknown }>).sort((x, y) =>
      String(x.id).localeCompare(String(y.id)),
    );
  }
  return snapshot;
}

/** Strings that would betray B's data in an answer meant for A. */
function markersOf(p: Party): string[] {
  return [
    p.email,
    p.userId,
    p.accountId,
    p.companyName,
    p.otherSessionId,
    p.buttonId,
    p.buttonPublicId,
    p.callbackId,
    p.callbackName,
    p.callSessionId,
    p.invitationId,
    p.noteBody,
    p.callTag,
  ];
}

/** Both parties block this IP (a customer's block applies to their own account only). */
const PARTY_BLOCKED_IP = "203.0.113.9";

async function createParty(h: Harness, tag: string): Promise<Party> {
  const companyName = `${tag} Company ${unique()}`;
  const { client, email, password } = await signupVerified(h, { companyName });
  const user = await memberByEmail(h.db.db, email);
  // Another device, logged in too.
  const device = h.client({ ip: uniqueIp() });
  await device.trpc.auth.login.mutate({ email, password });
  const otherSessionId = (await device.trpc.account.sessions.query()).find((s) => s.current)!.id;
  const button = await client.trpc.buttons.create.mutate({
    ...buttonInput(`${tag}'s button`),
    enabled: true,
  });
  // A visitor on an allowed site leaves a callback request on the button.
  const callbackName = `${tag} Visitor ${unique()}`;
  const visitor = h.client({ origin: "http://localhost:5173", ip: uniqueIp() });
  await visitor.trpc.widget.requestCallback.mutate({
    button: button.publicId,
    name: callbackName,
    phone: "(202) 555-0111",
  });
  const [callback] = await h.db.db
    .select()
    .from(callbackRequests)
    .where(eq(callbackRequests.buttonId, button.id));
  // A browser call ringing on the button (inserted as is: no ring timer runs against it).
  const now = h.clock.now();
  const [call] = await h.db.db
    .insert(callSessions)
    .values({
      accountId: user!.accountId,
      buttonId: button.id,
      transport: "webrtc",
      status: "ringing",
      visitorIp: "203.0.113.9",
      visitorTokenHash: createHash("sha256").update(unique("visitor-token")).digest("hex"),
      startedAt: now,
      lastActivityAt: now,
    })
    .returning();
  // Starter's seats: the party's open invitation (below) and one more from the suite fit.
  await h.db.db.update(accounts).set({ plan: "starter" }).where(eq(accounts.id, user.accountId));
  // The party's work on them: a note on each, a tag on the call (as the owner, who may edit any call).
  const noteBody = `${tag} note ${unique()}`;
  const callTag = `${tag.toLowerCase()}-tag-${unique()}`.slice(0, 32);
  await client.trpc.callbacks.addNote.mutate({ id: callback!.id, body: noteBody });
  await client.trpc.callLog.addNote.mutate({ id: call!.id, body: noteBody });
  await client.trpc.callLog.setTags.mutate({ id: call!.id, tags: [callTag] });
  // A device the party's user subscribed to push notifications.
  const pushEndpoint = `https://push.example.test/send/${tag}-${unique()}`;
  const [pushDevice] = await h.db.db
    .insert(pushSubscriptions)
    .values({
      userId: user!.id,
      endpoint: pushEndpoint,
      p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u",
      auth: "tBHItJI5svbpez7KI4CCXg",
      label: `${tag}'s phone`,
    })
    .returning();
  // The party blocks its caller's IP from its own buttons.
  await h.db.db.insert(abuseFlags).values({
    ip: PARTY_BLOCKED_IP,
    reason: `${tag} blocks`,
    source: "customer",
    accountId: user!.accountId,
  });
  return {
    email,
    password,
    client,
    userId: user!.id,
    accountId: user!.accountId,
    companyName,
    otherSessionId,
    buttonId: button.id,
    buttonPublicId: button.publicId,
    callbackId: callback!.id,
    callbackName,
    callSessionId: call!.id,
    invitationId: (
      await client.trpc.team.invite.mutate({
        email: `${tag.toLowerCase()}-invitee-${unique()}@example.test`,
        role: "agent",
      })
    ).id,
    noteBody,
    callTag,
    pushDeviceId: pushDevice!.id,
    pushEndpoint,
  };
}

describe("access control", () => {
  let w: World;
  beforeAll(async () => {
    const h = await startHarness({
      // No background jobs: the ringing calls of A and B stay as they are for the whole suite.
      build: { jobs: false },
      limits: {
        "login.email": LIFTED,
        "login.ip": LIFTED,
        "signup.ip": LIFTED,
      },
    });
    harnessForSse = h;
    w = { h, a: await createParty(h, "A"), b: await createParty(h, "B") };
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => w?.h.close(), HARNESS_TIMEOUT_MS);

  /** A new session for a party (cases such as logout or changePassword end A's others). */
  async function loginAs(party: Party): Promise<TestClient> {
    const client = w.h.client({ ip: uniqueIp() });
    await client.trpc.auth.login.mutate({ email: party.email, password: party.password });
    return client;
  }

  const paths = Object.keys(procedures) as ProcedurePath[];

  describe("the case table", () => {
    it("has a case for every procedure, and none for a procedure that does not exist", () => {
      expect(paths.length).toBeGreaterThan(0);
      const missing = paths.filter((path) => !(path in cases));
      expect(missing, "add a case to access-control.test.ts for each of these procedures").toEqual([]);
      const stale = Object.keys(cases).filter((path) => !(path in procedures));
      expect(stale, "these cases name no procedure").toEqual([]);
    });

    it.each(paths)("%s is built on the tier its case declares", (path) => {
      const declared = cases[path]?.tier;
      expect(detectTier(procedures[path]!), `${path} is declared ${declared}`).toBe(declared);
    });

    it("the fixtures exist: A and B each have a user, a second session, a button, a callback request and a call, with notes and a tag", () => {
      for (const p of [w.a, w.b]) {
        for (const value of markersOf(p)) expect(value).toBeTruthy();
      }
      expect(w.a.accountId).not.toBe(w.b.accountId);
    });
  });

  const guarded = paths.filter((path) =>
    ["authed", "admin", "owner", "operator"].includes(cases[path]?.tier ?? ""),
  );

  describe("anonymous callers", () => {
    it.each(guarded)("%s refuses an anonymous caller with UNAUTHORIZED and writes nothing", async (path) => {
      const input = anyInput(cases[path]!, w);
      const before = [await snapshotOf(w.h, w.a), await snapshotOf(w.h, w.b)];
      const anonymous = w.h.client({ ip: uniqueIp() });
      const error = await expectFailure(call(anonymous, path, input));
      expect(error.data?.code, `${path}: ${error.message}`).toBe("UNAUTHORIZED");
      expect(error.data?.httpStatus).toBe(401);
      expect([await snapshotOf(w.h, w.a), await snapshotOf(w.h, w.b)]).toEqual(before);
    });

    it.each(guarded)("%s refuses a forged or revoked session cookie with UNAUTHORIZED", async (path) => {
      const input = anyInput(cases[path]!, w);
      const forged = w.h.client({ ip: uniqueIp() });
      forged.jar.set("cac_session", `${w.b.otherSessionId}.${"A".repeat(32)}`);
      const error = await expectFailure(call(forged, path, input));
      expect(error.data?.code, `${path}: ${error.message}`).toBe("UNAUTHORIZED");
    });
  });

  const crossCases = paths.flatMap((path) => {
    const c = cases[path];
    return c
      ? crossChecks(c).map((check, i) => [`${path}${i ? ` (check ${i + 1})` : ""}`, path, check] as const)
      : [];
  });

  describe("account A using B's ids", () => {
    it.each(crossCases)("%s never reaches B's data", async (_label, path, cross) => {
      // A fresh login for each case: some of these end A's sessions.
      const asA = await loginAs(w.a);
      const bBefore = await snapshotOf(w.h, w.b);

      const input = cross.input?.(w);
      let answer: string;
      if (cross.kind === "foreign-ids") {
        const error = await expectFailure(call(asA, path, input));
        expect(["NOT_FOUND", "FORBIDDEN"], `${path}: ${error.data?.code} ${error.message}`).toContain(
          error.data?.code,
        );
        answer = JSON.stringify({ message: error.message, data: error.data, shape: error.shape });
      } else if (cross.mayFail) {
        const outcome = await call(asA, path, input).then(
          (result) => ({ result }),
          async (error: unknown) => {
            const e = await expectFailure(Promise.reject(error));
            expect(
              ["UNAUTHORIZED", "FORBIDDEN", "INTERNAL_SERVER_ERROR"],
              `${path}: ${e.message}`,
            ).not.toContain(e.data?.code);
            return { message: e.message, data: e.data };
          },
        );
        answer = JSON.stringify(outcome);
      } else {
        const result = await call(asA, path, input);
        answer = JSON.stringify(result ?? null);
      }
      for (const marker of markersOf(w.b)) {
        expect(answer.includes(marker), `${path} answered with B's ${marker}`).toBe(false);
      }
      expect(await snapshotOf(w.h, w.b), `${path} changed B's data`).toEqual(bBefore);
      // And B's own session still works (B's rows were compared first: this call touches none).
      expect((await w.b.client.trpc.account.me.query())?.user.email).toBe(w.b.email);
    });
  });

  describe("A's own objects (the scoping is real, not a blanket refusal)", () => {
    it("A reads its own button and callback requests, and none of B's", async () => {
      const asA = await loginAs(w.a);
      const mine = await asA.trpc.buttons.get.query({ id: w.a.buttonId });
      expect(mine.id).toBe(w.a.buttonId);
      const list = await asA.trpc.buttons.list.query();
      expect(list.map((b) => b.id)).toContain(w.a.buttonId);
      expect(list.map((b) => b.id)).not.toContain(w.b.buttonId);
      const callbacks = (await asA.trpc.callbacks.list.query({ onlyOpen: false })).items;
      expect(callbacks.map((cb) => cb.id)).toContain(w.a.callbackId);
      expect(callbacks.map((cb) => cb.id)).not.toContain(w.b.callbackId);
      // The phone panel's feed rings A's own ringing call, and not B's.
      const events = JSON.stringify(await readSubscription(asA, "phone.events", undefined, 600));
      expect(events).toContain(w.a.callSessionId);
      expect(events).not.toContain(w.b.callSessionId);
    });
  });

  // The call log's CSV export is an HTTP route (a download), not a procedure: the same rules.
  describe("GET /exports/calls.csv", () => {
    const exportAs = (client: TestClient | null, query = "", cookie?: string) => {
      const url = `${w.h.url}/exports/calls.csv${query}`;
      return client ? client.fetch(url) : fetch(url, { headers: cookie ? { cookie } : {} });
    };

    it("refuses an anonymous caller and a forged session cookie with 401, and writes nothing", async () => {
      const before = [await snapshotOf(w.h, w.a), await snapshotOf(w.h, w.b)];
      const anonymous = await exportAs(null);
      expect(anonymous.status).toBe(401);
      const forged = await exportAs(null, "", `cac_session=${w.b.otherSessionId}.${"A".repeat(32)}`);
      expect(forged.status).toBe(401);
      for (const text of [await anonymous.text(), await forged.text()]) {
        for (const marker of [...markersOf(w.a), ...markersOf(w.b)]) expect(text).not.toContain(marker);
      }
      expect([await snapshotOf(w.h, w.a), await snapshotOf(w.h, w.b)]).toEqual(before);
    });

    it("A filtering by B's button gets 404, and A's unfiltered export holds A's calls and none of B's data", async () => {
      const asA = await loginAs(w.a);
      const bBefore = await snapshotOf(w.h, w.b);
      const foreign = await exportAs(asA, `?buttonId=${w.b.buttonId}`);
      expect(foreign.status).toBe(404);
      const own = await exportAs(asA);
      expect(own.status).toBe(200);
      const answers = [await foreign.text(), await own.text()];
      for (const marker of markersOf(w.b)) {
        for (const answer of answers) {
          expect(answer.includes(marker), `the export answered with B's ${marker}`).toBe(false);
        }
      }
      expect(answers[1]).toContain(w.a.callSessionId);
      const ownButton = await (await exportAs(asA, `?buttonId=${w.a.buttonId}`)).text();
      expect(ownButton).toContain(w.a.callSessionId);
      expect(await snapshotOf(w.h, w.b), "the export changed B's data").toEqual(bBefore);
    });
  });

  const routes = Object.keys(routeCases) as PortalRoute[];

  describe("guarded Fastify routes (uploads, downloads)", () => {
    /** Sends a route's request as `client`, or without any cookie (and the portal's Origin) for null. */
    const send = (client: TestClient | null, route: PortalRoute, request: RouteRequest) => {
      const [method, path] = route.split(" ") as [string, string];
      const filled = path.replace(/:(\w+)/g, (_, name: string) =>
        encodeURIComponent(request.params?.[name] ?? ""),
      );
      const url = `${w.h.url}${filled}${request.query ?? ""}`;
      const init = { method, body: request.body?.() };
      return client
        ? client.fetch(url, init)
        : fetch(url, { ...init, headers: { origin: w.h.portalOrigin } });
    };

    it("every guarded route has a row, built on the tier its row declares", () => {
      expect(Object.keys(portalRoutes).sort()).toEqual([...routes].sort());
      for (const route of routes) expect(portalRoutes[route].tier, route).toBe(routeCases[route].tier);
    });

    it.each(routes)("%s refuses an anonymous caller and a forged session cookie with 401", async (route) => {
      const before = [await snapshotOf(w.h, w.a), await snapshotOf(w.h, w.b)];
      const anonymous = await send(null, route, routeCases[route].request(w));
      expect(anonymous.status).toBe(401);
      const forged = w.h.client({ ip: uniqueIp() });
      forged.jar.set("cac_session", `${w.b.otherSessionId}.${"A".repeat(32)}`);
      const forgedAnswer = await send(forged, route, routeCases[route].request(w));
      expect(forgedAnswer.status).toBe(401);
      for (const text of [await anonymous.text(), await forgedAnswer.text()]) {
        for (const marker of [...markersOf(w.a), ...markersOf(w.b)]) expect(text).not.toContain(marker);
      }
      expect([await snapshotOf(w.h, w.a), await snapshotOf(w.h, w.b)]).toEqual(before);
    });

    it.each(routes)(
      "%s refuses another site's page, even with A's session cookie, with 403",
      async (route) => {
        const elsewhere = w.h.client({ origin: "https://evil.example.test", ip: uniqueIp() });
        elsewhere.jar.set("cac_session", (await loginAs(w.a)).jar.get("cac_session")!);
        const before = [await snapshotOf(w.h, w.a), await snapshotOf(w.h, w.b)];
        const answer = await send(elsewhere, route, routeCases[route].request(w));
        expect(answer.status).toBe(403);
        expect([await snapshotOf(w.h, w.a), await snapshotOf(w.h, w.b)]).toEqual(before);
      },
    );

    it.each(routes)("%s as A never reaches B's data", async (route) => {
      const asA = await loginAs(w.a);
      const bBefore = await snapshotOf(w.h, w.b);
      const foreign = routeCases[route].foreign;
      const answer = await send(asA, route, (foreign ?? routeCases[route].request)(w));
      if (foreign) expect([403, 404]).toContain(answer.status);
      else expect(answer.status).toBe(200);
      const text = await answer.text();
      for (const marker of markersOf(w.b)) {
        expect(text.includes(marker), `${route} answered with B's ${marker}`).toBe(false);
      }
      expect(await snapshotOf(w.h, w.b), `${route} changed B's data`).toEqual(bBefore);
    });
  });

  const entryPaths = paths.filter((path) => cases[path]?.tier === "widget-entry");

  describe("public widget entry points", () => {
    const entryOf = (path: ProcedurePath) => procedures[path]!._def.meta!.widgetEntry!;
    const entryInput = (path: ProcedurePath, button: string) =>
      (cases[path] as Extract<Case, { tier: "widget-entry" }>).input(button);
    const visitor = (ip = uniqueIp(), origin = "https://shop.example.test") => w.h.client({ origin, ip });

    it("calls.start, widget.callable and widget.requestCallback are public entry points, each naming its guards", () => {
      expect(entryPaths.sort()).toEqual(["calls.start", "widget.callable", "widget.requestCallback"]);
      for (const path of entryPaths) expect(Object.keys(widgetEntries)).toContain(entryOf(path));
    });

    it("every other widget procedure acts on a call by its capability token (sessionId and token)", () => {
      for (const path of paths.filter((p) => cases[p]?.tier === "widget")) {
        const keys = procedures[path]!._def.inputs.flatMap((input) =>
          Object.keys((input as { shape?: Record<string, unknown> }).shape ?? {}),
        );
        expect(keys, path).toEqual(expect.arrayContaining(["button", "sessionId", "token"]));
      }
    });

    it.each(entryPaths)(
      "%s refuses an unknown button and a foreign Origin, even with a session cookie",
      async (path) => {
        const unknown = await expectFailure(call(visitor(), path, entryInput(path, "b_does_not_exist")));
        expect(unknown.data?.code).toBe("NOT_FOUND");
        const withCookie = visitor(uniqueIp(), "https://evil.example.test");
        withCookie.jar.set("cac_session", w.a.client.jar.get("cac_session")!);
        const foreign = await expectFailure(call(withCookie, path, entryInput(path, w.a.buttonPublicId)));
        expect((foreign.data as { appCode?: string }).appCode).toBe("ORIGIN_NOT_ALLOWED");
      },
    );

    it.each(entryPaths)("%s refuses an IP the account blocked and records the refusal", async (path) => {
      const ip = uniqueIp();
      await w.h.db.db
        .insert(abuseFlags)
        .values({ ip: ipKey(ip), reason: "entry check", source: "customer", accountId: w.a.accountId });
      const bBefore = await snapshotOf(w.h, w.b);
      const blocked = await expectFailure(call(visitor(ip), path, entryInput(path, w.a.buttonPublicId)));
      expect((blocked.data as { appCode?: string }).appCode).toBe("IP_BLOCKED");
      const events = await w.h.db.db.select().from(securityEvents).where(eq(securityEvents.ip, ip));
      expect(events.map((e) => e.kind)).toEqual([refusalKind(entryOf(path), "blocked_ip")]);
      expect(await snapshotOf(w.h, w.b)).toEqual(bBefore);
    });

    it.each(entryPaths)("%s lets one IP through its per-IP limit, then refuses it", async (path) => {
      const limit = widgetEntries[entryOf(path)].ipLimit;
      const ip = uniqueIp();
      let passed = 0;
      for (let i = 0; i < 200; i++) {
        const outcome = await call(visitor(ip), path, entryInput(path, w.a.buttonPublicId)).then(
          () => "ok",
          async (error: unknown) => (await expectFailure(Promise.reject(error))).data,
        );
        // Past the guards a call on a closed button (the harness clock is a Sunday) is refused.
        if (outcome !== "ok" && (outcome as { appCode?: string }).appCode === "RATE_LIMITED") break;
        passed += 1;
      }
      expect(passed).toBe(defaultLimits[limit].points);
    });
  });

  const operatorPaths = paths.filter((path) => cases[path]?.tier === "operator");

  describe("operator procedures", () => {
    it("refuse a verified customer who is not an operator with FORBIDDEN (each one in the table)", async () => {
      for (const path of operatorPaths) {
        const c = cases[path] as Extract<Case, { tier: "operator" }>;
        const error = await expectFailure(call(await loginAs(w.a), path, c.input?.(w)));
        expect(error.data?.code, path).toBe("FORBIDDEN");
      }
    });

    it("the operator tier admits only a verified email listed in OPERATOR_EMAILS", async () => {
      const probe = tiers.router({ ping: tiers.operatorProcedure.query(() => "pong") });
      const caller = tiers.createCallerFactory(probe);
      const token = (await loginAs(w.a)).jar.get("cac_session")!;
      const ctxFor = (operatorEmails: string[], cookie: string | undefined) => ({
        ...w.h.ports,
        settings: { publicUrl: new URL(w.h.portalOrigin), production: false, operatorEmails, modes: {} },
        limits: {} as never,
        http: {
          method: "GET",
          ip: "127.0.0.1",
          origin: w.h.portalOrigin,
          contentType: undefined,
          userAgent: undefined,
          getCookie: (name: string) => (name === "cac_session" ? cookie : undefined),
          setCookie: () => {},
          clearCookie: () => {},
        },
      });
      await expect(caller(ctxFor([w.a.email], decodeURIComponent(token)) as never).ping()).resolves.toBe(
        "pong",
      );
      const notListed = await caller(ctxFor([w.b.email], decodeURIComponent(token)) as never)
        .ping()
        .catch((e: unknown) => e);
      expect((notListed as { code?: string }).code).toBe("FORBIDDEN");
      const anonymous = await caller(ctxFor([w.a.email], undefined) as never)
        .ping()
        .catch((e: unknown) => e);
      expect((anonymous as { code?: string }).code).toBe("UNAUTHORIZED");
    });
  });
});
