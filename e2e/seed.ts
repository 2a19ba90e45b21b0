import { buttons, callbackRequests, callSessions, memberships, users } from "@cac/db";
import { eq } from "drizzle-orm";
import type { E2eServer } from "./fixtures";

// Rows the UI cannot create (or would take a long time to), written straight to the worker's database.

export async function accountIdOf(server: E2eServer, email: string): Promise<string> {
  const [user] = await server.db
    .select({ accountId: memberships.accountId })
    .from(users)
    .innerJoin(memberships, eq(memberships.userId, users.id))
    .where(eq(users.email, email.toLowerCase()));
  if (!user) throw new Error(`no user ${email}`);
  return user.accountId;
}

/** A button of the account (closed all week: only its rows matter); returns its id. */
export async function seedButton(server: E2eServer, accountId: string, name = "Website"): Promise<string> {
  const [row] = await server.db
    .insert(buttons)
    .values({
      accountId,
      publicId: `btn_${Math.random().toString(36).slice(2, 12)}`,
      name,
      label: "Call us",
      style: {
        background: "#1d4ed8",
        text: "#ffffff",
        size: "medium",
        shape: "pill",
        position: "bottom-right",
        icon: "phone",
      },
      timezone: "America/New_York",
      hours: [[], [], [], [], [], [], []],
    })
    .returning({ id: buttons.id });
  if (!row) throw new Error("button not created");
  return row.id;
}

/** `count` open callback requests on the button, one a minute apart ("Visitor 0" is the oldest). */
export async function seedCallbackRequests(
  server: E2eServer,
  accountId: string,
  buttonId: string,
  count: number,
) {
  const start = Date.now() - count * 60_000;
  await server.db.insert(callbackRequests).values(
    Array.from({ length: count }, (_, i) => ({
      accountId,
      buttonId,
      name: `Visitor ${i}`,
      phone: "+12025550100",
      createdAt: new Date(start + i * 60_000),
      emailedAt: new Date(start + i * 60_000),
    })),
  );
}

/**
 * `count` finished calls on the button, an hour apart, newest first; every other one answered
 * by `answeredBy` (a user id) with a few minutes of talk, the rest missed.
 */
export async function seedAnsweredCalls(
  server: E2eServer,
  accountId: string,
  buttonId: string,
  count: number,
  answeredBy: string,
) {
  const now = Date.now();
  await server.db.insert(callSessions).values(
    Array.from({ length: count }, (_, i) => {
      const startedAt = new Date(now - (i + 1) * 3_600_000);
      const answered = i % 2 === 0;
      const duration = answered ? 60 + i * 45 : 0;
      return {
        accountId,
        buttonId,
        transport: "webrtc" as const,
        status: answered ? ("completed" as const) : ("no-answer" as const),
        visitorIp: `203.0.113.${i + 1}`,
        pageUrl: "https://acme-plumbing.com/services/emergency-plumbing-repairs",
        startedAt,
        answeredAt: answered ? new Date(startedAt.getTime() + 6_000) : null,
        answeredBy: answered ? answeredBy : null,
        endedAt: new Date(startedAt.getTime() + 6_000 + duration * 1000),
        durationSeconds: duration,
      };
    }),
  );
}

/** The id of the user with this email. */
export async function userIdOf(server: E2eServer, email: string): Promise<string> {
  const [user] = await server.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, email.toLowerCase()));
  if (!user) throw new Error(`no user ${email}`);
  return user.id;
}
