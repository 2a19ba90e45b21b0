/**
 * `@cac/core/testing`: what the test suites of every package share (the core's service suites, the
 * server's HTTP suites, benchmarks): a clock the test moves, and values no other suite uses.
 * Never imported by product code.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { normalizeIp } from "./domain/ip";
import type { Clock } from "./ports";

/** A clock the test moves by hand. */
export class TestClock implements Clock {
  constructor(private current = new Date("2026-03-01T12:00:00Z")) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** A value no other suite or earlier run uses: for emails, IPs and Redis key prefixes. */
export function unique(tag = "t"): string {
  return `${tag}-${randomBytes(5).toString("hex")}`;
}

export function uniqueEmail(tag = "user"): string {
  return `${unique(tag)}@example.test`;
}

/**
 * A documentation-range IPv6 address no other client shares, in its own /64 (limits, blocks and
 * flags count IPv6 by /64), spelled as the server stores it (normalized).
 */
export function uniqueIp(): string {
  const hex = randomBytes(8).toString("hex").match(/.{4}/g) ?? [];
  const ip = normalizeIp(`2001:db8:${hex.slice(0, 4).join(":")}::1`);
  if (!ip) throw new Error("uniqueIp made an address normalizeIp refuses");
  return ip;
}

/** A TCP port free on 127.0.0.1 now, for a process that cannot listen on port 0 (nginx, coturn, a child). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
