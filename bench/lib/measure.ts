import autocannon from "autocannon";
import type { TargetInfo } from "./spawn";

export type LoadOptions = {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
};

export type Measurement = {
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
};

function run(info: TargetInfo, connections: number, duration: number) {
  return autocannon({
    url: info.url,
    method: info.method ?? "GET",
    headers: info.headers,
    body: info.body,
    connections,
    duration,
    pipelining: 1,
  });
}

/** Checks once that the request answers 2xx with the expected body, so we never time an error page. */
export async function checkTarget(info: TargetInfo): Promise<void> {
  const response = await fetch(info.url, {
    method: info.method ?? "GET",
    headers: info.headers,
    body: info.body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${info.url} answered ${response.status}: ${text.slice(0, 300)}`);
  if (info.expectBody && !text.includes(info.expectBody)) {
    throw new Error(`${info.url} answered without ${JSON.stringify(info.expectBody)}: ${text.slice(0, 300)}`);
  }
}

export async function measure(info: TargetInfo, options: LoadOptions): Promise<Measurement> {
  if (options.warmupSeconds > 0) await run(info, options.connections, options.warmupSeconds);
  const result = await run(info, options.connections, options.durationSeconds);
  return {
    requestsPerSecond: result.requests.average,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
    },
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}
