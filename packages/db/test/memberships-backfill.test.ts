/**
 * Migration 0011 moves people's accounts, roles and availability from `users` to `memberships`,
 * and gives every existing session its user's account as its active one: nobody is logged out,
 * nobody loses a role.
 */
import { sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { migrationsFolder } from "../src/client";
import { availableBackends } from "../src/testing";
import { freshDatabase, migrationsBefore } from "./migration-steps";

it.each(availableBackends)(
  "0011 makes every user a member of their account, and keeps every session (%s)",
  async (backend) => {
    const db = await freshDatabase(backend);
    await db.migrate(migrationsBefore("0011_"));
    const [account] = await db.rows<{ id: string }>(
      sql`insert into accounts (company_name, website_url, phone) values ('Acme', 'https://a.test', '+12025550123') returning id`,
    );
    const person = async (email: string, role: string, available: boolean, seen: string | null) => {
      const [row] = await db.rows<{ id: string }>(
        sql`insert into users (account_id, email, name, password_hash, role, age_confirmed_at, agent_available, agent_seen_at)
        values (${account!.id}, ${email}, 'P', 'x', ${role}, now(), ${available}, ${seen}::timestamptz) returning id`,
      );
      return row!.id;
    };
    const owner = await person("owner@a.test", "owner", false, null);
    const agent = await person("agent@a.test", "agent", true, "2026-03-01T12:00:00Z");
    await db.rows(sql`insert into auth_sessions (id, user_id, secret_hash, created_at, last_verified_at)
    values ('s-owner', ${owner}, 'h', now(), now()), ('s-agent', ${agent}, 'h', now(), now())`);

    await db.migrate(migrationsFolder);

    const members = await db.rows<{
      user_id: string;
      account_id: string;
      role: string;
      available: boolean;
      seen_at: unknown;
    }>(sql`select user_id, account_id, role, available, seen_at from memberships order by role desc`);
    expect(
      members.map((m) => [
        m.user_id,
        m.account_id,
        m.role,
        m.available,
        m.seen_at === null ? null : new Date(String(m.seen_at)).toISOString(),
      ]),
    ).toEqual([
      [owner, account!.id, "owner", false, null],
      [agent, account!.id, "agent", true, "2026-03-01T12:00:00.000Z"],
    ]);
    const sessions = await db.rows<{ id: string; active_account_id: string }>(
      sql`select id, active_account_id from auth_sessions order by id`,
    );
    expect(sessions).toEqual([
      { id: "s-agent", active_account_id: account!.id },
      { id: "s-owner", active_account_id: account!.id },
    ]);
    await db.close();
  },
);
