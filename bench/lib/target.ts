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
  /**
   * Paths requested in turn instead of `url`'s (same origin), one per request, wrapping around:
   * many objects in rotation rather than one hot one.
   */
  paths?: string[];
  /** A substring the response body must contain, checked once before measuring. */
  expectBody?: string;
  /** The status every answer must have (default: any 2xx). */
  expectStatus?: number;
  /** What this run actually measured against (database kind, modes), for the report. */
  notes?: Record<string, string>;
  /**
   * Another benchmark of the same run this one is a variant of (the same request with more data):
   * the report also gives this one's figures as ratios to that one's.
   */
  relativeTo?: string;
  stop(): Promise<void>;
};

export type BenchTarget = {
  name: string;
  description: string;
  /** How long its start (seeding, warming) may take; 2 minutes unless given. */
  startTimeoutMs?: number;
  start(): Promise<StartedTarget>;
};

export function defineTarget(target: BenchTarget): BenchTarget {
  return target;
}
