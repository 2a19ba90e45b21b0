/**
 * The roles matrix (DESIGN.md, Roles), procedure by procedure and role by role.
 *
 * One account with an owner, an admin and an agent. `roleCases` holds one row per procedure of the
 * app router, keyed by its path (a `Record<ProcedurePath, …>`, so a new procedure without a row
 * fails typecheck), saying for each role whether it may call it; `roleRouteCases` the same for the
 * guarded Fastify routes. The suite checks every row against the procedure's tier, then calls it
 * as each role: a refused role gets FORBIDDEN, an allowed one gets through the tier (its answer may
 * still be a domain refusal, e.g. NOT_FOUND for the made-up ids the rows use so nothing is
 * destroyed). Agents see visitors' networks where the others see their IPs ("masked").
 * Anonymous callers and members of other accounts are the business of access-control.test.ts,
 * which holds every procedure's anonymous and cross-account rows.
 */
import { randomUUID } from "node:crypto";
import { accounts, callSessions } from "@cac/db";
import { memberByEmail } from "@cac/db/testing";
import * as tiers from "@cac/trpc";
import { appRouter, type ProcedurePath } from "@cac/trpc";
import { TRPCClientError } from "@trpc/client";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PortalRoute, portalRoutes } from "../src/routes/guard";
import { validButton } from "./fixtures/buttons";
import {
  HARNESS_TIMEOUT_MS,
  type Harness,
  LIFTED,
  signupVerified,
  startHarness,
  type TestClient,
  uniqueEmail,
  uniqueIp,
} from "./harness";

type Role = "owner" | "admin" | "agent";
const ROLES: Role[] = ["owner", "admin", "agent"];

/** "masked": allowed, with visitors' IPs shown as their networks. */
type Access = "allow" | "deny" | "masked";
type RoleAccess = Record<Role, Access>;

const anyMember: RoleAccess = { owner: "allow", admin: "allow", agent: "allow" };
const ownersAndAdmins: RoleAccess = { owner: "allow", admin: "allow", agent: "deny" };
const ownersOnly: RoleAccess = { owner: "allow", admin: "deny", agent: "deny" };
const ipsMaskedForAgents: RoleAccess = { owner: "allow", admin: "allow", agent: "masked" };

type World = {
  h: Harness;
  accountId: string;
  buttonId: string;
  passwords: Record<Role, string>;
  emails: Record<Role, string>;
};

type RoleRow =
  | { roles: RoleAccess; input?: (w: World, role: Role) => unknown }
  /** Public, widget and operator procedures: no member's role decides them. */
  | { notByRole: string };

const nobody = () => randomUUID();

const roleCases: Record<ProcedurePath, RoleRow> = {
  "auth.signup": { notByRole: "public" },
  "auth.verifyEmail": { notByRole: "public" },
  "auth.login": { notByRole: "public" },
  "auth.requestPasswordReset": { notByRole: "public" },
  "auth.resetPassword": { notByRole: "public" },
  "auth.resendVerification": { roles: anyMember },
  "auth.logout": { roles: anyMember },

  "account.me": { notByRole: "public (null when logged out)" },
  "account.updateProfile": { roles: anyMember, input: () => ({ name: "Renamed Member" }) },
  "account.changePassword": {
    roles: anyMember,
    input: (w, role) => ({ currentPassword: w.passwords[role], newPassword: w.passwords[role] }),
  },
  "account.updateTimezone": { roles: ownersAndAdmins, input: () => ({ timezone: "America/New_York" }) },
  "account.sessions": { roles: anyMember },
  "dashboard.overview": { roles: anyMember },
  "account.revokeSession": { roles: anyMember, input: () => ({ sessionId: "no-such-session" }) },
  "account.revokeOtherSessions": { roles: anyMember },
  "account.closure": { roles: anyMember },
  "account.close": { roles: ownersOnly, input: () => ({ password: "not-the-password-of-anyone" }) },
  "account.reopen": { roles: ownersOnly },

  "system.info": { notByRole: "public" },
  "system.devOutbox": { notByRole: "public, development only" },
  "contact.send": { notByRole: "public" },

  "buttons.list": { roles: anyMember },
  "buttons.get": { roles: anyMember, input: (w) => ({ id: w.buttonId }) },
  "buttons.create": { roles: ownersAndAdmins, input: () => buttonInput("Made by a role check") },
  "buttons.update": {
    roles: ownersAndAdmins,
    input: () => ({ id: nobody(), fields: buttonInput("Nobody's") }),
  },
  "buttons.setEnabled": { roles: ownersAndAdmins, input: () => ({ id: nobody(), enabled: false }) },
  "buttons.duplicate": { roles: ownersAndAdmins, input: () => ({ id: nobody() }) },
  "buttons.delete": { roles: ownersAndAdmins, input: () => ({ id: nobody() }) },
  "buttons.removeLogo": { roles: ownersAndAdmins, input: () => ({ id: nobody() }) },
  "buttons.installs": { roles: anyMember },
  "buttons.emailInstructions": {
    roles: ownersAndAdmins,
    input: () => ({ id: nobody(), to: "dev@example.com", platform: "html" }),
  },
  "buttons.routing": { roles: ownersAndAdmins, input: () => ({ id: nobody() }) },
  "buttons.setRouting": {
    roles: ownersAndAdmins,
    input: () => ({ id: nobody(), who: "all", strategy: "ring-all", stepSeconds: 20, members: [] }),
  },

  "callbacks.list": { roles: anyMember, input: () => ({ onlyOpen: false }) },
  "callbacks.setHandled": { roles: anyMember, input: () => ({ id: nobody(), handled: true }) },
  "callbacks.assignees": { roles: anyMember },
  "callbacks.assign": { roles: anyMember, input: () => ({ id: nobody(), assigneeId: null }) },
  "callbacks.setStatus": { roles: anyMember, input: () => ({ id: nobody(), status: "done" }) },
  "callbacks.notes": { roles: anyMember, input: () => ({ id: nobody() }) },
  "callbacks.addNote": {
    roles: anyMember,
    input: () => ({ id: nobody(), body: "A note from a role check" }),
  },

  "phone.setAvailable": { roles: anyMember, input: () => ({ available: true }) },
  "phone.availability": { roles: anyMember },
  "phone.setHours": { roles: anyMember, input: () => ({ hours: null }) },
  "phone.events": { roles: anyMember },
  "phone.answer": { roles: anyMember, input: () => ({ sessionId: nobody() }) },
  "phone.decline": { roles: anyMember, input: () => ({ sessionId: nobody() }) },
  "phone.signal": {
    roles: anyMember,
    input: () => ({ sessionId: nobody(), payload: { kind: "offer", sdp: "v=0" } }),
  },
  "phone.hangUp": { roles: anyMember, input: () => ({ sessionId: nobody() }) },
  "phone.voiceLine": { roles: anyMember },
  "phone.callState": { roles: anyMember, input: () => ({ callId: nobody() }) },

  "calls.start": { notByRole: "widget entry point" },
  "calls.events": { notByRole: "widget, by the call's capability token" },
  "calls.signal": { notByRole: "widget, by the call's capability token" },
  "calls.hangUp": { notByRole: "widget, by the call's capability token" },
  "calls.reportFailure": { notByRole: "widget, by the call's capability token" },
  "widget.requestCallback": { notByRole: "widget entry point" },
  "widget.callable": { notByRole: "widget entry point" },

  "callLog.list": { roles: ipsMaskedForAgents, input: () => ({}) },
  "callLog.totals": { roles: anyMember, input: () => ({}) },
  "callLog.charts": { roles: anyMember, input: () => ({}) },
  "callLog.contextOptions": { roles: anyMember, input: () => ({}) },
  "callLog.sources": { roles: anyMember, input: () => ({}) },
  "callLog.live": { roles: ipsMaskedForAgents },
  // Any member reads a call's work; the service lets only whoever answered, or an owner or admin, change it.
  "callLog.work": { roles: anyMember, input: () => ({ id: nobody() }) },
  "callLog.setTags": { roles: anyMember, input: () => ({ id: nobody(), tags: ["role-check"] }) },
  "callLog.addNote": { roles: anyMember, input: () => ({ id: nobody(), body: "A note from a role check" }) },

  "billing.overview": { roles: anyMember },
  "billing.plans": { roles: anyMember },
  "billing.checkout": { roles: ownersOnly, input: () => ({ plan: "starter" }) },
  "billing.portal": { roles: ownersOnly },

  "abuse.blockIp": { roles: ownersAndAdmins, input: () => ({ ip: "198.51.100.23" }) },
  "abuse.unblockIp": { roles: ownersAndAdmins, input: () => ({ ip: "198.51.100.23" }) },
  "abuse.listBlocks": { roles: ownersAndAdmins },
  "abuse.flags": { notByRole: "operators" },
  "abuse.clearFlag": { notByRole: "operators" },
  "abuse.addBlock": { notByRole: "operators" },
  "abuse.events": { notByRole: "operators" },

  "policy.publish": { notByRole: "operators" },
  "policy.list": { notByRole: "operators" },
  "policy.current": { roles: anyMember },
  "policy.dismiss": { roles: anyMember, input: () => ({ noticeId: nobody() }) },

  "team.members": { roles: anyMember },
  "team.presence": { roles: anyMember },
  "team.seats": { roles: anyMember },
  "team.accounts": { roles: anyMember },
  "team.switchAccount": { roles: anyMember, input: (w) => ({ accountId: w.accountId }) },
  "team.changeRole": { roles: ownersAndAdmins, input: () => ({ userId: nobody(), role: "agent" }) },
  "team.remove": { roles: ownersAndAdmins, input: () => ({ userId: nobody() }) },
  "team.invitations": { roles: ownersAndAdmins },
  "team.invite": {
    roles: ownersAndAdmins,
    input: () => ({ email: uniqueEmail("role-check"), role: "agent" }),
  },
  "team.resendInvitation": { roles: ownersAndAdmins, input: () => ({ id: nobody() }) },
  "team.revokeInvitation": { roles: ownersAndAdmins, input: () => ({ id: nobody() }) },
  "team.invitation": { notByRole: "public: the emailed link is the credential" },
  "team.acceptWithNewLogin": { notByRole: "public: the emailed link is the credential" },
  "team.acceptWithPassword": { notByRole: "public: the emailed link and the login's password" },
  "team.acceptInvitation": { roles: anyMember, input: () => ({ token: "not-a-token-of-anyone-at-all" }) },
  // Last: the admin and the agent really leave (the owner, the only one, may not).
  "notifications.config": { roles: anyMember },
  "notifications.devices": { roles: anyMember },
  "notifications.subscribe": {
    roles: anyMember,
    input: () => ({
      endpoint: `https://push.example.test/send/${randomUUID()}`,
      keys: {
        p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u",
        auth: "tBHItJI5svbpez7KI4CCXg",
      },
      label: "Chrome on Linux",
    }),
  },
  "notifications.touch": {
    roles: anyMember,
    input: () => ({ endpoint: "https://push.example.test/send/none" }),
  },
  "notifications.unsubscribe": { roles: anyMember, input: () => ({ id: nobody() }) },
  "notifications.preferences": { roles: anyMember },
  "notifications.updatePreferences": { roles: anyMember, input: () => ({ pushCallback: true }) },
  "notifications.sendTest": { roles: anyMember },
  "team.leave": { roles: anyMember },
};

/** `params` fill the route's path parameters (`:publicId`). */
type RouteRequest = { query?: string; body?: () => FormData; params?: Record<string, string> };

const roleRouteCases: Record<PortalRoute, { roles: RoleAccess; request: (w: World) => RouteRequest }> = {
  "POST /uploads/logo": {
    roles: ownersAndAdmins,
    request: () => ({ query: `?button=${nobody()}`, body: logoForm }),
  },
  "GET /exports/calls.csv": { roles: ownersAndAdmins, request: () => ({}) },
  "GET /exports/account.json": { roles: ownersOnly, request: () => ({}) },
  // Any member may open a test page; no button of the account has this id (404, not a refusal).
  "GET /try/:publicId": { roles: anyMember, request: () => ({ params: { publicId: "b_not_a_button" } }) },
};

/** A route's path with its `:name` parameters filled in. */
function withParams(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
}

function logoForm(): FormData {
  const form = new FormData();
  form.append("file", new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }), "logo.png");
  return form;
}

/** A valid button whose creation does not depend on the plan (it starts disabled). */
function buttonInput(name: string) {
  return validButton({ name, enabled: false, allowedDomains: ["shop.example.test"] });
}

type AnyProcedure = { _def: { type: "query" | "mutation" | "subscription"; middlewares: unknown[] } };
const procedures = (appRouter as unknown as { _def: { procedures: Record<ProcedurePath, AnyProcedure> } })
  ._def.procedures;

/** What the tier a procedure is built on lets each role do (the matrix the rows must agree with). */
function accessOfTier(procedure: AnyProcedure): RoleAccess | "not-by-role" {
  const chain = procedure._def.middlewares;
  const startsWith = (builder: unknown) => {
    const prefix = (builder as AnyProcedure)._def.middlewares;
    return prefix.length <= chain.length && prefix.every((mw, i) => chain[i] === mw);
  };
  if (startsWith(tiers.operatorProcedure)) return "not-by-role";
  if (startsWith(tiers.ownerProcedure)) return ownersOnly;
  if (startsWith(tiers.adminProcedure)) return ownersAndAdmins;
  if (startsWith(tiers.authedProcedure)) return anyMember;
  return "not-by-role";
}

const VISITOR_IP = "203.0.113.58";
const VISITOR_NETWORK = "203.0.113.0/24";

/** A procedure's answer as text, or its error's code (a subscription is read for a moment). */
async function callAs(
  w: World,
  client: TestClient,
  path: ProcedurePath,
  input: unknown,
): Promise<{ ok: true; text: string } | { ok: false; code: string | undefined; message: string }> {
  const type = procedures[path]!._def.type;
  if (type === "subscription") {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    const abort = new AbortController();
    const res = await client.fetch(`${w.h.url}/trpc/${path}${query}`, {
      headers: { accept: "text/event-stream" },
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    const first = await reader.read();
    abort.abort();
    await reader.cancel().catch(() => {});
    const text = first.value ? new TextDecoder().decode(first.value) : "";
    const code = /"code":"([A-Z_]+)"/.exec(text)?.[1];
    return res.status === 200 && !text.includes("serialized-error")
      ? { ok: true, text }
      : { ok: false, code: code ?? String(res.status), message: text };
  }
  // biome-ignore lint/suspicious/noExplicitAny: walks the client's proxy by a path known only at run time
  let node: any = client.trpc;
  for (const segment of path.split(".")) node = node[segment];
  try {
    const result = await (type === "query" ? node.query(input) : node.mutate(input));
    return { ok: true, text: JSON.stringify(result ?? null) };
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    return { ok: false, code: (error.data as { code?: string } | undefined)?.code, message: error.message };
  }
}

describe("access control by role", () => {
  let w: World;
  beforeAll(async () => {
    const h = await startHarness({
      build: { jobs: false },
      limits: {
        "login.email": LIFTED,
        "login.ip": LIFTED,
        "login.ip_email": LIFTED,
        "signup.ip": LIFTED,
        "password.session": LIFTED,
        "invitation.ip": LIFTED,
        "invitation.account": LIFTED,
      },
    });
    const owner = await signupVerified(h);
    const me = await memberByEmail(h.db.db, owner.email);
    await h.db.db.update(accounts).set({ plan: "pro" }).where(eq(accounts.id, me.accountId));
    const button = await owner.client.trpc.buttons.create.mutate(buttonInput("The shop's button"));
    const emails = { owner: owner.email, admin: uniqueEmail("admin"), agent: uniqueEmail("agent") };
    const passwords = { owner: owner.password, admin: "admin-password-123", agent: "agent-password-123" };
    for (const role of ["admin", "agent"] as const) {
      await owner.client.trpc.team.invite.mutate({ email: emails[role], role });
      const mail = (await h.outbox(emails[role])).findLast((m) => m.text.includes("/invitation#token="));
      const token = mail?.text.match(/\/invitation#token=([A-Za-z0-9_-]+)/)?.[1] ?? "";
      await h.client({ ip: uniqueIp() }).trpc.team.acceptWithNewLogin.mutate({
        token,
        name: role,
        password: passwords[role],
        ageConfirmed: true,
      });
    }
    // A call ringing now, from a visitor's IP: the call log and the live calls show it.
    const now = h.clock.now();
    await h.db.db.insert(callSessions).values({
      accountId: me.accountId,
      buttonId: button.id,
      transport: "webrtc",
      status: "ringing",
      visitorIp: VISITOR_IP,
      startedAt: now,
      lastActivityAt: now,
    });
    w = { h, accountId: me.accountId, buttonId: button.id, passwords, emails };
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => w?.h.close(), HARNESS_TIMEOUT_MS);

  async function loginAs(role: Role): Promise<TestClient> {
    const client = w.h.client({ ip: uniqueIp() });
    await client.trpc.auth.login.mutate({ email: w.emails[role], password: w.passwords[role] });
    return client;
  }

  // team.leave last: it really removes the admin and the agent.
  const paths = (Object.keys(procedures) as ProcedurePath[]).sort(
    (a, b) => Number(a === "team.leave") - Number(b === "team.leave"),
  );

  it("has a row for every procedure, and each row agrees with the procedure's tier", () => {
    expect(Object.keys(roleCases).sort()).toEqual([...paths].sort());
    for (const path of paths) {
      const row = roleCases[path];
      const tier = accessOfTier(procedures[path]!);
      if ("notByRole" in row) expect(tier, path).toBe("not-by-role");
      else {
        // "masked" is an allowed call, IPs aside.
        const allowed = Object.fromEntries(ROLES.map((r) => [r, row.roles[r] === "deny" ? "deny" : "allow"]));
        expect(allowed, path).toEqual(tier);
      }
    }
  });

  it("has a row for every guarded route, agreeing with its guard", () => {
    expect(Object.keys(roleRouteCases).sort()).toEqual(Object.keys(portalRoutes).sort());
    for (const route of Object.keys(roleRouteCases) as PortalRoute[]) {
      const tier = portalRoutes[route].tier;
      const expected = tier === "owner" ? ownersOnly : tier === "admin" ? ownersAndAdmins : anyMember;
      expect(roleRouteCases[route].roles, route).toEqual(expected);
    }
  });

  const routes = Object.keys(roleRouteCases) as PortalRoute[];
  const routesByRole = routes.flatMap((route) =>
    ROLES.map((role) => [`${route} as ${role}`, route, role] as const),
  );

  it.each(routesByRole)("%s", async (_label, route, role) => {
    const { roles, request } = roleRouteCases[route];
    const client = await loginAs(role);
    const [method, path] = route.split(" ") as [string, string];
    const req = request(w);
    const url = `${w.h.url}${withParams(path, req.params)}${req.query ?? ""}`;
    const answer = await client.fetch(url, { method, body: req.body?.() });
    if (roles[role] === "deny") expect(answer.status, `${route} as ${role}`).toBe(403);
    else expect([401, 403], `${route} as ${role}`).not.toContain(answer.status);
  });

  // Before the procedures: their last row (team.leave) removes the admin and the agent.
  const byRole = paths.flatMap((path) => {
    const row = roleCases[path];
    return "roles" in row ? ROLES.map((role) => [`${path} as ${role}`, path, role] as const) : [];
  });

  it.each(byRole)("%s", async (_label, path, role) => {
    const row = roleCases[path] as Extract<RoleRow, { roles: RoleAccess }>;
    const access = row.roles[role];
    const client = await loginAs(role);
    const outcome = await callAs(w, client, path, row.input?.(w, role));
    if (access === "deny") {
      expect(outcome.ok, `${path} let the ${role} through`).toBe(false);
      expect(outcome.ok ? null : outcome.code, `${path} as ${role}`).toBe("FORBIDDEN");
      return;
    }
    if (!outcome.ok) {
      expect(["UNAUTHORIZED", "FORBIDDEN"], `${path} as ${role}: ${outcome.message}`).not.toContain(
        outcome.code,
      );
      return;
    }
    if (path === "callLog.list" || path === "callLog.live") {
      // The ringing call is on both: whole for owners and admins, its network for agents.
      expect(outcome.text).toContain(access === "masked" ? VISITOR_NETWORK : VISITOR_IP);
      if (access === "masked") expect(outcome.text).not.toContain(VISITOR_IP);
    }
  });
});
