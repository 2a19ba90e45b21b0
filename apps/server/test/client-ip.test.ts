import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { clientIp, trustFunction } from "../src/client-ip";
import { loadConfig } from "../src/config";

/** The client address the server derives for a request from `peer` carrying `forwardedFor`. */
async function clientOf(trustProxy: string, peer: string, forwardedFor?: string): Promise<string> {
  const app = Fastify({ trustProxy: trustFunction(loadConfig({ TRUST_PROXY: trustProxy }).trustProxy) });
  app.get("/", async (req) => ({ ip: clientIp(req) }));
  try {
    const res = await app.inject({
      url: "/",
      remoteAddress: peer,
      headers: forwardedFor === undefined ? {} : { "x-forwarded-for": forwardedFor },
    });
    return (res.json() as { ip: string }).ip;
  } finally {
    await app.close();
  }
}

describe("the client address behind trusted proxies", () => {
  it("TRUST_PROXY=1: the right-most X-Forwarded-For entry, the one the proxy added", async () => {
    // nginx's $proxy_add_x_forwarded_for appends the address it saw to whatever the client sent.
    expect(await clientOf("1", "127.0.0.1", "6.6.6.6, 203.0.113.5")).toBe("203.0.113.5");
    expect(await clientOf("1", "127.0.0.1", "203.0.113.5")).toBe("203.0.113.5");
    expect(await clientOf("1", "127.0.0.1")).toBe("127.0.0.1");
  });

  it("TRUST_PROXY=2: the entry the outer of two proxies added", async () => {
    expect(await clientOf("2", "10.0.0.2", "6.6.6.6, 203.0.113.5, 10.0.0.9")).toBe("203.0.113.5");
    expect(await clientOf("2", "10.0.0.2", "203.0.113.5, 10.0.0.9")).toBe("203.0.113.5");
  });

  it("a list of proxies: the right-most address that is not one of them", async () => {
    const proxies = "127.0.0.1, 10.0.0.0/8, fd00::/8";
    expect(await clientOf(proxies, "127.0.0.1", "6.6.6.6, 203.0.113.5")).toBe("203.0.113.5");
    expect(await clientOf(proxies, "10.1.2.3", "6.6.6.6, 203.0.113.5, 10.9.9.9")).toBe("203.0.113.5");
    expect(await clientOf(proxies, "fd00::7", "6.6.6.6, 2001:db8::5, 10.9.9.9")).toBe("2001:db8::5");
    // A peer that is not a listed proxy is the client, whatever it claims to forward.
    expect(await clientOf(proxies, "198.51.100.9", "6.6.6.6, 203.0.113.5")).toBe("198.51.100.9");
  });

  it("no proxy: the socket's peer, and X-Forwarded-For is ignored", async () => {
    expect(await clientOf("false", "198.51.100.9", "6.6.6.6")).toBe("198.51.100.9");
  });

  it("normalizes the address, and never keys on text that is not one", async () => {
    expect(await clientOf("1", "127.0.0.1", "6.6.6.6, 2001:DB8:0::5")).toBe("2001:db8::5");
    expect(await clientOf("false", "::ffff:198.51.100.9")).toBe("198.51.100.9");
    // A forwarded entry that is no address falls back to the trusted proxy that passed it on.
    expect(await clientOf("1", "127.0.0.1", "made-up-1")).toBe("127.0.0.1");
  });
});
