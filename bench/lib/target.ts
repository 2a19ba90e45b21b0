/**
 * A benchmark target runs in its own child process (so the load generator does not share
 * its event loop) and answers one kind of request. `npm run bench` measures each target
 * with the same load and reports it against the bare Fastify baseline.
 */
export type StartedTarget = {
  /** Absolute URL the load generator requests. */
  url: string;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /**
   * Each request comes from a visitor address of its own (X-Forwarded-For, which a target
   * started with TRUST_PROXY trusts), as many visitors behind a load balancer do: per-IP
   * limits and abuse counts then see what they would in production, not one busy client.
   */
  visitorIps?: boolean;
  /** A substring the response body must contain, checked once before measuring. */
  expectBody?: string;
  /** What this run actually measured against (database kind, modes), for the report. */
  notes?: Record<string, string>;
  stop(): Promise<void>;
};

export type BenchTarget = {
  name: string;
  description: string;
  start(): Promise<StartedTarget>;
};

export function defineTarget(target: BenchTarget): BenchTarget {
  return target;
}
