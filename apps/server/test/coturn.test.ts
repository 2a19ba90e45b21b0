import { readFileSync } from "node:fs";
import { TURN_CREDENTIAL_SECONDS, turnCredential } from "@cac/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalCoturn, startCoturn } from "./coturn-server";
import { TurnClient } from "./turn-client";

/**
 * The credentials the server hands out (turnCredential: what calls.start and phone.answer return),
 * against a real coturn in shared-secret mode, configured as docs/turnserver.conf documents it.
 * Each case asks for a relay the way a browser does (Allocate, challenged for the realm and nonce,
 * then sent again with the credential) from a UDP socket of its own.
 */

const SESSION = "6f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f60";
/** A credential issued at `issuedAt`, as the server would have issued it then. */
const issued = (secret: string, issuedAt: number) => turnCredential(secret, SESSION, new Date(issuedAt));
const expiryOf = (username: string) => Number(username.split(":")[0]) * 1000;

describe("coturn and the call credentials (shared-secret mode)", () => {
  let coturn: LocalCoturn;
  const clients: TurnClient[] = [];
  const client = () => {
    const c = new TurnClient(coturn.host, coturn.port);
    clients.push(c);
    return c;
  };
  beforeAll(async () => {
    coturn = await startCoturn();
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await coturn?.stop();
  });

  it("opens a relay for a credential the server just issued", async () => {
    const { username, credential } = issued(coturn.secret, Date.now());
    const answer = await client().allocate(username, credential);
    expect(answer).toMatchObject({ kind: "success", relayed: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(coturn.log()).toContain(`user <${username}>: incoming packet ALLOCATE processed, success`);
  });

  it("refuses an expired credential: 401, and no relay", async () => {
    // Issued 10 minutes and 1 second ago: its expiry passed a second ago.
    const { username, credential } = issued(coturn.secret, Date.now() - (TURN_CREDENTIAL_SECONDS + 1) * 1000);
    expect(expiryOf(username)).toBeLessThan(Date.now());
    const answer = await client().allocate(username, credential);
    expect(answer).toMatchObject({ kind: "error", code: 401, relayed: undefined });
    expect(coturn.log()).toContain(`Cannot find credentials of user <${username}>`);
  });

  it("refuses a credential signed with another secret: 401, and no relay", async () => {
    const { username, credential } = issued(`${coturn.secret}-not`, Date.now());
    const answer = await client().allocate(username, credential);
    expect(answer).toMatchObject({ kind: "error", code: 401, relayed: undefined });
  });

  it("keeps refreshing a relay opened in time after its credential expires (a long call), but opens no new one with it", async () => {
    // Issued almost 10 minutes ago: about 3 s of validity left.
    const { username, credential } = issued(coturn.secret, Date.now() - (TURN_CREDENTIAL_SECONDS - 3) * 1000);
    const call = client();
    expect(await call.allocate(username, credential)).toMatchObject({ kind: "success" });

    const expiry = expiryOf(username);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiry - Date.now()) + 2_000));
    expect(Date.now()).toBeGreaterThan(expiry + 1_000);
    expect(await call.refresh(username, credential, 600)).toMatchObject({ kind: "success", lifetime: 600 });
    expect(await client().allocate(username, credential)).toMatchObject({ kind: "error", code: 401 });
    expect(await call.refresh(username, credential, 0)).toMatchObject({ kind: "success", lifetime: 0 });
  });
});

it("the README shows docs/turnserver.conf as it is", () => {
  const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
  expect(read("README.md")).toContain(read("docs/turnserver.conf").trim());
});
