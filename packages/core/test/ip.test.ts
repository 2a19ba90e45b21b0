import * as net from "node:net";
import { availableBackends, createTestDb } from "@cac/db/testing";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ipKey, ipSchema, isIPv4, isIPv6, isLoopbackIp, logIp } from "../src/domain/ip";

const samples = [
  "203.0.113.7",
  "::ffff:203.0.113.7",
  "::FFFF:203.0.113.7",
  "2001:db8:1:2::5",
  "2001:DB8:1:2:ffff:ffff:ffff:ffff",
  "2001:0db8:0001:0002:0000:0000:0000:0001",
  "2001:0:0:1::1",
  "2001:db8::1",
  "::1",
  "fe80::1",
  "0:0:0:0:1:2:3:4",
  "2001:db8:1:2::/64",
  "not an ip",
  ":::",
];

describe("ipKey", () => {
  it("keeps IPv4 addresses and keys IPv6 addresses by their /64", () => {
    expect(ipKey("203.0.113.7")).toBe("203.0.113.7");
    expect(ipKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(ipKey("2001:db8:1:2::5")).toBe("2001:db8:1:2::/64");
    expect(ipKey("2001:DB8:1:2:ffff:ffff:ffff:ffff")).toBe("2001:db8:1:2::/64");
    expect(ipKey("2001:0:0:1::1")).toBe("2001:0:0:1::/64");
    expect(ipKey("2001:db8:1:3::5")).toBe("2001:db8:1:3::/64");
    // A key is its own key, so a block listed as a /64 can be looked up by what the list shows.
    expect(ipKey("2001:db8:1:2::/64")).toBe("2001:db8:1:2::/64");
    expect(ipKey("not an ip")).toBe("not an ip");
  });

  it.each(availableBackends)("is the same text as the database's ip_key() (%s)", async (backend) => {
    const handle = await createTestDb({ backend });
    try {
      for (const sample of samples) {
        const result = await handle.db.execute<{ key: string }>(sql`select ip_key(${sample}) as key`);
        const rows = Array.isArray(result) ? result : (result as { rows: Array<{ key: string }> }).rows;
        expect(rows[0]?.key, sample).toBe(ipKey(sample));
      }
    } finally {
      await handle.close();
    }
  });
});

describe("logIp", () => {
  it("logs an IPv4 address as its /24 and an IPv6 address as its /48", () => {
    expect(logIp("203.0.113.7")).toBe("203.0.113.0/24");
    expect(logIp("::ffff:203.0.113.7")).toBe("203.0.113.0/24");
    expect(logIp("2001:db8:1:2::5")).toBe("2001:db8:1::/48");
    expect(logIp("2001:db8:1:2::/64")).toBe("2001:db8:1::/48");
    expect(logIp("garbage")).toBe("unknown");
    expect(logIp(undefined)).toBe("unknown");
  });
});

describe("isLoopbackIp", () => {
  it("is true only for the machine's own addresses", () => {
    expect(isLoopbackIp("127.0.0.1")).toBe(true);
    expect(isLoopbackIp("127.8.9.10")).toBe(true);
    expect(isLoopbackIp("::1")).toBe(true);
    expect(isLoopbackIp("::ffff:127.0.0.1")).toBe(true);
    expect(isLoopbackIp("192.0.2.2")).toBe(false);
    expect(isLoopbackIp("fd00::2")).toBe(false);
    expect(isLoopbackIp("::")).toBe(false);
    expect(isLoopbackIp(undefined)).toBe(false);
  });
});

describe("ipSchema", () => {
  it("accepts an address or an IPv6 /64 as blocks list it", () => {
    expect(ipSchema.parse(" 2001:DB8::1 ")).toBe("2001:db8::1");
    expect(ipSchema.parse("2001:db8:1:2::/64")).toBe("2001:db8:1:2::/64");
    expect(ipSchema.safeParse("2001:db8:1:2::/48").success).toBe(false);
    expect(ipSchema.safeParse("203.0.113.0/24").success).toBe(false);
  });
});

describe("isIPv4 and isIPv6 (browser-safe, without node:net)", () => {
  const tricky = [
    "",
    "::",
    ":::",
    "::1",
    "1::",
    "1:2:3:4:5:6:7::",
    "::1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8",
    "1:2:3:4:5:6:7:8::",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "1:::2",
    ":1::2",
    "1::2:",
    "::1.2.3.4",
    "::ffff:203.0.113.7",
    "1.2.3.4::",
    "1:2:3:4:5:6:1.2.3.4",
    "1:2:3:4:5::1.2.3.4",
    "1:2:3:4:5:6::1.2.3.4",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3",
    "::256.1.1.1",
    "::01.2.3.4",
    "fe80::1%eth0",
    "fe80::1%",
    "fe80::1%a%b",
    "fe80::1%e-t.h:0",
    "fe80::1%é",
    "00000::1",
    "0001::1",
    "FFFF::",
    "g::1",
    "1.2.3.4",
    "01.2.3.4",
    "1.2.3.04",
    "255.255.255.255",
    "256.0.0.0",
    "1.2.3",
    "1.2.3.4.5",
    " 1.2.3.4",
    "1.2.3.4\n",
    "[::1]",
  ];

  it.each(tricky)("agrees with node:net on %j", (text) => {
    expect(isIPv4(text)).toBe(net.isIPv4(text));
    expect(isIPv6(text)).toBe(net.isIPv6(text));
  });

  it("agrees with node:net on generated addresses and near misses", () => {
    const group = fc.oneof(
      { arbitrary: fc.stringMatching(/^[0-9a-fA-F]{1,4}$/), weight: 12 },
      { arbitrary: fc.stringMatching(/^[0-9a-fA-Fg]{0,5}$/), weight: 1 },
    );
    const v4part = fc.oneof(fc.nat(300).map(String), fc.stringMatching(/^0[0-9]{1,2}$/));
    const v4 = fc.array(v4part, { minLength: 3, maxLength: 5 }).map((parts) => parts.join("."));
    const v6 = fc
      .tuple(
        fc.oneof(fc.array(group, { maxLength: 8 }), fc.array(group, { minLength: 6, maxLength: 8 })),
        fc.boolean(),
        fc.array(group, { maxLength: 8 }),
        fc.option(v4),
        fc.option(fc.stringMatching(/^[0-9a-z.%:-]{0,4}$/)),
      )
      .map(([head, compressed, tail, embedded, zone]) => {
        const address = compressed ? `${head.join(":")}::${tail.join(":")}` : head.join(":");
        const joint = address === "" || address.endsWith(":") ? "" : ":";
        return `${address}${embedded === null ? "" : `${joint}${embedded}`}${zone === null ? "" : `%${zone}`}`;
      });
    fc.assert(
      fc.property(fc.oneof(v4, v6, fc.string()), (text) => {
        expect(isIPv4(text), text).toBe(net.isIPv4(text));
        expect(isIPv6(text), text).toBe(net.isIPv6(text));
      }),
      { numRuns: 20_000 },
    );
  });
});
