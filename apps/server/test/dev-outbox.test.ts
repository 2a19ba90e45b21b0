import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness, uniqueEmail, validSignup } from "./harness";

/**
 * The dev outbox shows every verification and reset link without a login. Anyone on the network
 * who could read it could take over any account, so it answers only a browser on the server's own
 * machine: a loopback socket peer that no proxy forwarded.
 */

/** An address of this machine on a real network interface (not loopback), if it has one. */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === "IPv4")?.address;

describe("the dev outbox answers only this machine", () => {
  let h: Harness;
  let email: string;
  beforeAll(async () => {
    // Listening on every interface, as a development server started with HOST=0.0.0.0 would.
    h = await startHarness({ listen: "0.0.0.0" });
    email = uniqueEmail("outbox");
    await h.client().trpc.auth.signup.mutate({ ...validSignup, email });
    await h.flushEmail();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  const outboxAt = (base: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/trpc/system.devOutbox`, { headers: { origin: h.portalOrigin, ...headers } });
  const port = () => new URL(h.url).port;

  it("lists the emails for a browser on this machine (loopback, no proxy)", async () => {
    const res = await outboxAt(`http://127.0.0.1:${port()}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(email);
  });

  it("refuses a request from another machine, with no link in the answer", async () => {
    let res: { status: number; body: string };
    if (lanAddress) {
      // A real socket from a non-loopback address of this machine: the peer is that address.
      const answer = await outboxAt(`http://${lanAddress}:${port()}`);
      res = { status: answer.status, body: await answer.text() };
    } else {
      // No network interface here: the peer address is given to the request instead.
      const answer = await h.app.inject({
        url: "/trpc/system.devOutbox",
        headers: { origin: h.portalOrigin },
        remoteAddress: "192.0.2.50",
      });
      res = { status: answer.statusCode, body: answer.body };
    }
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/only on the machine the server runs on/);
    expect(res.body).not.toContain(email);
    expect(res.body).not.toContain("token=");
  });

  it("a forwarded header naming loopback does not make a remote peer local", async () => {
    const answer = await h.app.inject({
      url: "/trpc/system.devOutbox",
      headers: { origin: h.portalOrigin, "x-forwarded-for": "127.0.0.1" },
      remoteAddress: "192.0.2.51",
    });
    expect(answer.statusCode).toBe(403);
    expect(answer.body).not.toContain(email);
  });

  it("refuses anything a proxy forwarded, though the proxy itself is on this machine", async () => {
    // A local nginx in front of a development server: its peer is loopback for every visitor.
    const res = await outboxAt(`http://127.0.0.1:${port()}`, { "x-forwarded-for": "203.0.113.9" });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain(email);
  });
});
