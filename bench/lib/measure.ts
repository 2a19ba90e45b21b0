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
  /** Answers with another status than the target expects (its `expectStatus`, or any 2xx). */
  unexpected: number;
  /** How many answers came with each status other than the expected one (e.g. { "429": 2 }). */
  unexpectedStatuses: Record<string, number>;
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
  const paths = info.paths;
  let turn = 0;
  const varies = info.visitorIps || (paths && paths.length > 0);
  return {
    url: info.url,
    method: info.method ?? "GET",
    headers: info.headers,
    body: info.body,
    ...(varies
      ? {
          requests: [
            {
              setupRequest: (request) => ({
                ...request,
                ...(paths && paths.length > 0 ? { path: paths[turn++ % paths.length] } : {}),
                headers: info.visitorIps
                  ? { ...request.headers, "x-forwarded-for": nextVisitorIp() }
                  : request.headers,
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

/** Checks once that the request answers as expected (2xx with the body, or `expectStatus`), so we never time an error page. */
export async function checkTarget(info: TargetInfo): Promise<void> {
  const url = info.paths?.[0] ? new URL(info.paths[0], info.url).href : info.url;
  const response = await fetch(url, {
    method: info.method ?? "GET",
    headers: { ...info.headers, ...(info.visitorIps ? { "x-forwarded-for": nextVisitorIp() } : {}) },
    body: info.body,
  });
  const text = await response.text();
  const expected = info.expectStatus === undefined ? response.ok : response.status === info.expectStatus;
  if (!expected) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 300)}`);
  if (info.expectBody && !text.includes(info.expectBody)) {
    throw new Error(`${url} answered without ${JSON.stringify(info.expectBody)}: ${text.slice(0, 300)}`);
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
    unexpected:
      info.expectStatus === undefined
        ? result.non2xx
        : result.requests.total - (result.statusCodeStats?.[`${info.expectStatus}`]?.count ?? 0),
    unexpectedStatuses: unexpectedStatuses(info, result.statusCodeStats ?? {}),
    errors: result.errors,
    timeouts: result.timeouts,
    cpuMsPerRequest:
      cpuBefore === null || cpuAfter === null || result.requests.total === 0
        ? null
        : (cpuAfter - cpuBefore) / result.requests.total,
  };
}

function unexpectedStatuses(info: TargetInfo, stats: Record<string, { count?: number }>) {
  const expected = (status: number) =>
    info.expectStatus === undefined ? status >= 200 && status < 300 : status === info.expectStatus;
  return Object.fromEntries(
    Object.entries(stats)
      .filter(([status]) => !expected(Number(status)))
      .map(([status, { count }]) => [status, count ?? 0]),
  );
}
