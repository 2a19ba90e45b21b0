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
  /**
   * CPU time the target's process spent per answered request while measured (ms): unlike
   * wall times, barely inflated when other work shares the machine. Null off Linux.
   */
  cpuMsPerRequest: number | null;
};

let visitors = 0;

/** The next visitor address, from 198.18.0.0/15 (reserved for benchmarks, RFC 2544). */
export function nextVisitorIp(): string {
  const n = visitors++ % 131_072;
  return `198.${18 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
}

/** The autocannon options that describe a target's request. */
export function requestOptions(info: TargetInfo): autocannon.Options {
  return {
    url: info.url,
    method: info.method ?? "GET",
    headers: info.headers,
    body: info.body,
    ...(info.visitorIps
      ? {
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                headers: { ...request.headers, "x-forwarded-for": nextVisitorIp() },
              }),
            },
          ],
        }
      : {}),
  };
}

function run(info: TargetInfo, connections: number, duration: number) {
  return autocannon({ ...requestOptions(info), connections, duration, pipelining: 1 });
}

/** Checks once that the request answers 2xx with the expected body, so we never time an error page. */
export async function checkTarget(info: TargetInfo): Promise<void> {
  const response = await fetch(info.url, {
    method: info.method ?? "GET",
    headers: { ...info.headers, ...(info.visitorIps ? { "x-forwarded-for": nextVisitorIp() } : {}) },
    body: info.body,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${info.url} answered ${response.status}: ${text.slice(0, 300)}`);
  if (info.expectBody && !text.includes(info.expectBody)) {
    throw new Error(`${info.url} answered without ${JSON.stringify(info.expectBody)}: ${text.slice(0, 300)}`);
  }
}

export async function measure(
  info: TargetInfo,
  options: LoadOptions,
  cpuMs: () => number | null = () => null,
): Promise<Measurement> {
  if (options.warmupSeconds > 0) await run(info, options.connections, options.warmupSeconds);
  const cpuBefore = cpuMs();
  const result = await run(info, options.connections, options.durationSeconds);
  const cpuAfter = cpuMs();
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
    cpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || result.requests.total === 0
        ? null
        : (cpuAfter - cpuBefore) / result.requests.total,
  };
}
