// npm run bench -- calls-start-limiter [--rounds 4] [--duration 5] [--warmup 2] [--connections 10] [--calls 5000]
//
// What the call limits cost a visitor's click. calls.start consumes two limits (call.ip, then
// call.button) before it creates the call; with REDIS_URL and no captcha between them, both go
// to Redis in one round trip (limiter.consumeInOrder: one Lua script).
//
// 1. Micro: `--calls` sequential limiter calls, Redis limiter vs in-process limiter (the
//    adapter of apps/server/src/adapters/limiter.ts, the same policy) and a bare Redis PING (the
//    floor of any round trip), in alternating blocks so a busy moment of the machine hits them
//    all; two consumes in turn, at once, and in one trip; p50/p99 and client CPU per call.
// 2. HTTP: one real server (Redis pubsub; Postgres at TEST_DATABASE_URL, else PGlite) whose
//    limiter is switched between runs: off (a no-op that allows everything), in-process, Redis,
//    and as a control two bare Redis PINGs in place of the two consumes (the floor of two round
//    trips on this machine at that moment).
//    The limits are far above the load, so every request is counted and none refused, and each
//    request comes from its own visitor address (X-Forwarded-For through the trusted proxy).
//    Every round runs each mode, in reversed order every other round, so a drift of the machine
//    (or of the growing call_sessions table) weighs on each mode alike. Latencies are every
//    response's own time (sub-millisecond), pooled per mode. Measured at 1 connection (a
//    request's own time: the goal) and at `--connections` (saturated: a cost shows as lost
//    throughput). The server also reports its CPU time per request and times each consume
//    inside the request; at 1 connection the consumes of each request add up to the time it
//    spent in the limiter. Every response must be 2xx and must have created its call session.
//    The bare Fastify hello-world runs in every round too, as the machine's yardstick.
// Goal: a request's time in the Redis limiter is within 1.5x of two bare PINGs' at p99 (judged on
// the time in the limiter: the difference of two end-to-end distributions is only as precise as
// the machine is quiet).
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { cpus, loadavg } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Limiter, LimitPolicy } from "@cac/core";
import { callSessions } from "@cac/db";
import autocannon from "autocannon";
import { count, eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { pino } from "pino";
import { createLimiter } from "../apps/server/src/adapters/limiter";
import { writeResult } from "./call-log";
import { BENCH_RING_SECONDS, liftedCallLimits, prepareCallsStart } from "./lib/calls-start";
import { checkTarget, requestOptions } from "./lib/measure";
import { startRealApp } from "./lib/real-app";
import { startTarget, type TargetInfo } from "./lib/spawn";
import { defineTarget } from "./lib/target";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
// "turns" is the Redis limiter as calls.start used it before the ordered consume: one round trip
// per limit, one after the other (the comparison in the same run).
// "ping" is a control, not a limiter: each limit is one bare Redis PING, then allows. Its time
// in the request is the floor of two Redis round trips on this machine at that moment.
const MODES = ["off", "memory", "redis", "turns", "ping"] as const;
type Mode = (typeof MODES)[number];

/** Allows everything without counting: the limiter "off". */
const noLimiter: Limiter = {
  mode: "memory",
  consume: async () => ({ allowed: true }),
  consumeInOrder: async () => ({ allowed: true }),
  reset: async () => {},
  close: async () => {},
};

type Summary = { n: number; p50: number; p90: number; p99: number; mean: number };

function summarize(samples: number[]): Summary {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { n: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), mean: sum / (sorted.length || 1) };
}

// --- The server under test (a child process, started through bench/lib/child.ts) -------------

export default defineTarget({
  name: "calls-start-limiter-server",
  description: "real app, POST /trpc/calls.start, limiter switchable: off, in-process, Redis, 2 PINGs",
  async start() {
    const keyPrefix = `cac-bench-${randomBytes(4).toString("hex")}`;
    const log = pino({ level: "silent" });
    const pinger = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const redisLimiter = createLimiter({ redisUrl: REDIS_URL, log, keyPrefix });
    const limiters: Record<Mode, Limiter> = {
      off: noLimiter,
      memory: createLimiter({ log, keyPrefix }),
      redis: redisLimiter,
      turns: {
        ...redisLimiter,
        mode: "redis",
        consumeInOrder: async (steps) => {
          for (const [step, { policyName, policy, key }] of steps.entries()) {
            const result = await redisLimiter.consume(policyName, policy, key);
            if (!result.allowed) return { ...result, step };
          }
          return { allowed: true };
        },
        // Closed once, as "redis".
        close: async () => {},
      },
      ping: {
        ...noLimiter,
        consume: async () => {
          await pinger.ping();
          return { allowed: true };
        },
        // One PING per limit, one after the other: the floor of the round trips of consumes in turn.
        consumeInOrder: async (steps) => {
          for (const _ of steps) await pinger.ping();
          return { allowed: true };
        },
        close: async () => {
          await pinger.quit();
        },
      },
    };
    let mode: Mode = "off";
    // [policy name, ms] of every consume, in the order they ended.
    let consumes: Array<[string, number]> = [];
    let cpuSince = process.cpuUsage();
    const switchable: Limiter = {
      get mode() {
        return limiters[mode].mode;
      },
      async consume(name, policy, key) {
        const started = performance.now();
        try {
          return await limiters[mode].consume(name, policy, key);
        } finally {
          consumes.push([name, performance.now() - started]);
        }
      },
      async consumeInOrder(steps) {
        const started = performance.now();
        try {
          return await limiters[mode].consumeInOrder(steps);
        } finally {
          consumes.push([steps.map((step) => step.policyName).join("+"), performance.now() - started]);
        }
      },
      reset: (name, policy, key) => limiters[mode].reset(name, policy, key),
      close: async () => {
        await Promise.all(Object.values(limiters).map((limiter) => limiter.close()));
      },
    };

    const app = await startRealApp({
      limits: liftedCallLimits,
      limiter: switchable,
      redisUrl: REDIS_URL,
      trustProxy: true,
      ringTimeoutSeconds: BENCH_RING_SECONDS,
      limiterKeyPrefix: keyPrefix,
    });
    const { request, accountId, stopPresence } = await prepareCallsStart(app);

    // Control from the load generator, between rounds: /mode/<mode> switches (and clears the
    // consume timings and the CPU count), /stats returns the consume timings and the process's
    // CPU time since, and the call sessions created so far.
    const control = createServer((req, res) => {
      void (async () => {
        const wanted = req.url?.match(/^\/mode\/(\w+)$/)?.[1];
        if (wanted) {
          if (!(MODES as readonly string[]).includes(wanted)) return res.writeHead(404).end();
          mode = wanted as Mode;
          consumes = [];
          cpuSince = process.cpuUsage();
          return res.writeHead(200).end(mode);
        }
        if (req.url === "/stats") {
          const [row] = await app.db.db
            .select({ n: count() })
            .from(callSessions)
            .where(eq(callSessions.accountId, accountId));
          const cpu = process.cpuUsage(cpuSince);
          const cpuMs = (cpu.user + cpu.system) / 1000;
          const body = JSON.stringify({ mode, consumes, cpuMs, callSessions: row?.n ?? 0 });
          consumes = [];
          cpuSince = process.cpuUsage();
          return res.writeHead(200, { "content-type": "application/json" }).end(body);
        }
        res.writeHead(404).end();
      })().catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => control.listen(0, "127.0.0.1", resolve));
    const address = control.address();
    if (!address || typeof address === "string") throw new Error("no TCP address");

    return {
      ...request,
      notes: {
        control: `http://127.0.0.1:${address.port}`,
        database: app.db.kind,
        pubsub: app.ports.pubsub.mode,
      },
      async stop() {
        stopPresence();
        control.close();
        await app.close();
      },
    };
  },
});

// --- The load generator ----------------------------------------------------------------------

type Segment = { seconds: number; ok: number; bad: number };

/** One autocannon run; every 2xx response's own time goes into `samples` (ms, fractional). */
function segment(info: TargetInfo, seconds: number, connections: number, samples: number[] | null) {
  return new Promise<Segment>((resolve, reject) => {
    const instance = autocannon(
      { ...requestOptions(info), connections, duration: seconds, pipelining: 1 },
      (error, result) =>
        error
          ? reject(error)
          : resolve({
              seconds: result.duration,
              ok: result["2xx"],
              bad: result.non2xx + result.errors + result.timeouts,
            }),
    );
    if (samples) {
      instance.on("response", (_client, status, _bytes, ms) => {
        if (status >= 200 && status < 300) samples.push(ms);
      });
    }
  });
}

async function microMeasure(calls: number) {
  const log = pino({ level: "silent" });
  const keyPrefix = `cac-bench-micro-${randomBytes(4).toString("hex")}`;
  const memory = createLimiter({ log, keyPrefix });
  const redis = createLimiter({ redisUrl: REDIS_URL, log, keyPrefix });
  // The floor of any Redis call: a PING's round trip on a client of its own.
  const client = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const policy: LimitPolicy = { points: 1_000_000_000, durationSeconds: 60 };
  const consume = (limiter: Limiter) => async () => {
    const result = await limiter.consume("call.ip", policy, "198.18.0.1");
    if (!result.allowed) throw new Error(`the ${limiter.mode} limiter refused a call`);
  };
  const redisConsume = consume(redis);
  const subjects = {
    memory: consume(memory),
    redis: redisConsume,
    "redis PING": () => client.ping(),
    // What calls.start does per request: call.ip, then call.button, one round trip after the other
    "redis 2 in turn": async () => {
      await redisConsume();
      await redisConsume();
    },
    // …and what it would cost if both went at once (ioredis writes both before either answers).
    "redis 2 at once": () => Promise.all([redisConsume(), redisConsume()]),
    // …and what calls.start does now: one script counts both, the IP's first.
    "redis 2 one trip": async () => {
      const result = await redis.consumeInOrder([
        { policyName: "call.ip", policy, key: "198.18.0.1" },
        { policyName: "call.button", policy, key: "bench-button" },
      ]);
      if (!result.allowed) throw new Error("the redis limiter refused a call");
    },
    // The floor of two round trips in turn, which the goal compares with.
    "redis 2 PINGs": async () => {
      await client.ping();
      await client.ping();
    },
  };
  type Name = keyof typeof subjects;
  const names = Object.keys(subjects) as Name[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Name, number[]>;
  const cpuMs = Object.fromEntries(names.map((name) => [name, 0])) as Record<Name, number>;
  try {
    // Warm up: the first call waits for Redis's first connection, JIT, the limiter's creation.
    for (const run of Object.values(subjects)) for (let i = 0; i < 500; i++) await run();
    const block = 500;
    for (let done = 0, round = 0; done < calls; done += block, round++) {
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const cpu = process.cpuUsage();
        for (let i = 0; i < Math.min(block, calls - done); i++) {
          const started = performance.now();
          await subjects[name]();
          samples[name].push(performance.now() - started);
        }
        const used = process.cpuUsage(cpu);
        cpuMs[name] += (used.user + used.system) / 1000;
      }
    }
    if (redis.mode !== "redis") throw new Error("the Redis limiter is not connected to Redis");
  } finally {
    await Promise.all([memory.close(), redis.close(), client.quit()]);
  }
  return Object.fromEntries(
    names.map((name) => [
      name,
      { ...summarize(samples[name]), cpuMsPerCall: cpuMs[name] / samples[name].length },
    ]),
  ) as Record<Name, Summary & { cpuMsPerCall: number }>;
}

/**
 * The time each request spent in the limiter: one ordered consume of both limits
 * ("call.ip+call.button"), or a call.ip consume plus the call.button one that follows. Only with
 * one connection, where requests run one after another, are two consecutive consumes the same
 * request's.
 */
function perRequest(consumes: Array<[string, number]>): number[] {
  const sums: number[] = [];
  for (let i = 0; i < consumes.length; i++) {
    const first = consumes[i]!;
    const second = consumes[i + 1];
    if (first[0] === "call.ip+call.button") {
      sums.push(first[1]);
    } else if (first[0] === "call.ip" && second?.[0] === "call.button") {
      sums.push(first[1] + second[1]);
      i++;
    }
  }
  return sums;
}

type Pool = {
  latencies: number[];
  consumeMs: number[];
  limiterMsPerRequest: number[];
  seconds: number;
  ok: number;
  bad: number;
  serverCpuMs: number;
};
type Figures = Summary & {
  rps: number;
  bad: number;
  /** CPU time of the server process per answered request (not inflated by a busy machine). */
  cpuMsPerRequest: number | null;
  /** Each call into the limiter (a consume, or an ordered consume of both limits). */
  consume: Summary;
  /** Time in the limiter per answered request, on average (any number of connections). */
  limiterMsMean: number;
  /** Time in the limiter per request (1 connection only). */
  limiterPerRequest: Summary | null;
};

const emptyPool = (): Pool => ({
  latencies: [],
  consumeMs: [],
  limiterMsPerRequest: [],
  seconds: 0,
  ok: 0,
  bad: 0,
  serverCpuMs: 0,
});
const ms = (value: number) => value.toFixed(3);
const signed = (value: number) => `${value >= 0 ? "+" : ""}${ms(value)}`;

function printLevel(connections: number, figures: Record<Mode | "bare", Figures>) {
  console.log(
    `\n${connections} connection${connections === 1 ? "" : "s"}:\n` +
      `${"".padEnd(16)}${"req/s".padStart(8)}${"vs bare".padStart(9)}${"vs off".padStart(8)}` +
      `${"p50 ms".padStart(9)}${"p90 ms".padStart(9)}${"p99 ms".padStart(9)}${"non-2xx".padStart(9)}` +
      `${"cpu ms/req".padStart(12)}${"consume p50".padStart(13)}${"consume p99".padStart(13)}`,
  );
  for (const name of ["bare", ...MODES] as const) {
    const f = figures[name];
    const consume = name === "bare" || name === "off" ? ["-", "-"] : [ms(f.consume.p50), ms(f.consume.p99)];
    console.log(
      `${(name === "bare" ? "bare Fastify" : name === "ping" ? "2 PINGs instead" : name === "turns" ? "redis in turn" : `limiter ${name}`).padEnd(16)}${f.rps.toFixed(0).padStart(8)}` +
        `${`${((f.rps / figures.bare.rps) * 100).toFixed(1)}%`.padStart(9)}` +
        `${(name === "bare" ? "-" : `${((f.rps / figures.off.rps) * 100).toFixed(1)}%`).padStart(8)}` +
        `${ms(f.p50).padStart(9)}${ms(f.p90).padStart(9)}${ms(f.p99).padStart(9)}${String(f.bad).padStart(9)}` +
        `${(f.cpuMsPerRequest === null ? "-" : ms(f.cpuMsPerRequest)).padStart(12)}` +
        `${consume[0]!.padStart(13)}${consume[1]!.padStart(13)}`,
    );
  }
  for (const mode of ["memory", "redis", "turns", "ping"] as const) {
    const f = figures[mode];
    console.log(
      `${mode === "ping" ? "2 PINGs" : mode === "turns" ? "redis in turn" : `${mode} limiter`} vs off, per request: p50 ${signed(f.p50 - figures.off.p50)} ms, ` +
        `p99 ${signed(f.p99 - figures.off.p99)} ms, server CPU ${signed((f.cpuMsPerRequest ?? 0) - (figures.off.cpuMsPerRequest ?? 0))} ms` +
        (f.limiterPerRequest
          ? `; time in the limiter (both limits) p50 ${ms(f.limiterPerRequest.p50)} ms, p99 ${ms(f.limiterPerRequest.p99)} ms`
          : `; both limits take ${ms(f.limiterMsMean)} ms on average`),
    );
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: "string", default: "4" },
      duration: { type: "string", default: "5" },
      warmup: { type: "string", default: "2" },
      connections: { type: "string", default: "10" },
      calls: { type: "string", default: "5000" },
    },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.duration);
  const warmup = Number(values.warmup);
  const connections = Number(values.connections);
  const calls = Number(values.calls);
  // One connection: a request's own time, nothing queued behind others (the visitor's view).
  // `connections`: the server saturated, where a cost shows as lost throughput.
  const levels = [...new Set([1, connections])];

  console.log(
    `calls.start limiter overhead: Redis at ${REDIS_URL}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}`,
  );

  console.log(
    `\n1. limiter.consume, ${calls.toLocaleString("en-US")} sequential calls of each kind (ms per call)`,
  );
  const micro = await microMeasure(calls);
  console.log(
    `${"".padEnd(18)}${"p50".padStart(10)}${"p90".padStart(10)}${"p99".padStart(10)}${"mean".padStart(10)}${"cpu/call".padStart(10)}`,
  );
  for (const [name, s] of Object.entries(micro)) {
    console.log(
      `${name.padEnd(18)}${ms(s.p50).padStart(10)}${ms(s.p90).padStart(10)}${ms(s.p99).padStart(10)}` +
        `${ms(s.mean).padStart(10)}${ms(s.cpuMsPerCall).padStart(10)}`,
    );
  }
  console.log(
    `Redis minus in-process: p50 ${signed(micro.redis.p50 - micro.memory.p50)} ms, p99 ${signed(micro.redis.p99 - micro.memory.p99)} ms per consume; ` +
      `Redis consume minus PING: p50 ${signed(micro.redis.p50 - micro["redis PING"].p50)} ms, p99 ${signed(micro.redis.p99 - micro["redis PING"].p99)} ms`,
  );

  const baselinePath = fileURLToPath(new URL("./targets/fastify-hello.ts", import.meta.url));
  const baseline = await startTarget(baselinePath);
  const server = await startTarget(fileURLToPath(import.meta.url)).catch(async (error: unknown) => {
    await baseline.stop();
    throw error;
  });
  const control = server.info.notes?.control ?? "";
  const setMode = async (mode: Mode) => {
    const response = await fetch(`${control}/mode/${mode}`);
    if (!response.ok) throw new Error(`switching the limiter to ${mode} answered ${response.status}`);
  };
  const stats = async () =>
    (await (await fetch(`${control}/stats`)).json()) as {
      consumes: Array<[string, number]>;
      cpuMs: number;
      callSessions: number;
    };

  let okTotal = 0;
  // Requests still in flight when a run stops are answered after autocannon stopped counting:
  // each run may leave up to its connections' worth of sessions created but not counted.
  let inFlightAllowance = 0;
  let failed = false;
  const results: Record<number, Record<Mode | "bare", Figures>> = {};
  try {
    console.log(
      `\n2. POST /trpc/calls.start, ${rounds} rounds of ${seconds} s per mode, each request from its own ` +
        `visitor address (database: ${server.info.notes?.database}, pubsub: ${server.info.notes?.pubsub})`,
    );
    for (const level of levels) {
      const pools: Record<Mode | "bare", Pool> = {
        bare: emptyPool(),
        off: emptyPool(),
        memory: emptyPool(),
        redis: emptyPool(),
        turns: emptyPool(),
        ping: emptyPool(),
      };
      for (const mode of MODES) {
        await setMode(mode);
        await checkTarget(server.info);
        okTotal++;
        if (warmup > 0) {
          okTotal += (await segment(server.info, warmup, level, null)).ok;
          inFlightAllowance += level;
        }
      }
      await segment(baseline.info, Math.max(1, warmup), level, null);
      await stats();

      const record = (pool: Pool, run: Segment) => {
        pool.seconds += run.seconds;
        pool.ok += run.ok;
        pool.bad += run.bad;
      };
      for (let round = 0; round < rounds; round++) {
        record(pools.bare, await segment(baseline.info, seconds, level, pools.bare.latencies));
        const order = round % 2 === 0 ? [...MODES] : [...MODES].reverse();
        for (const mode of order) {
          await setMode(mode);
          const run = await segment(server.info, seconds, level, pools[mode].latencies);
          record(pools[mode], run);
          okTotal += run.ok;
          inFlightAllowance += level;
          const after = await stats();
          for (const [, elapsed] of after.consumes) pools[mode].consumeMs.push(elapsed);
          if (level === 1) pools[mode].limiterMsPerRequest.push(...perRequest(after.consumes));
          pools[mode].serverCpuMs += after.cpuMs;
          process.stdout.write(".");
        }
      }
      const figures = Object.fromEntries(
        Object.entries(pools).map(([name, pool]) => [
          name,
          {
            ...summarize(pool.latencies),
            rps: pool.ok / pool.seconds,
            bad: pool.bad,
            cpuMsPerRequest: name === "bare" ? null : pool.serverCpuMs / pool.ok,
            consume: summarize(pool.consumeMs),
            limiterMsMean: pool.consumeMs.reduce((sum, value) => sum + value, 0) / (pool.ok || 1),
            limiterPerRequest: level === 1 ? summarize(pool.limiterMsPerRequest) : null,
          },
        ]),
      ) as Record<Mode | "bare", Figures>;
      results[level] = figures;
      printLevel(level, figures);
      const bad = Object.values(figures).reduce((sum, f) => sum + f.bad, 0);
      if (bad > 0) {
        console.log(`! ${bad} non-2xx answers, errors or timeouts: these figures are not valid`);
        failed = true;
      }
    }

    const { callSessions: created } = await stats();
    if (created < okTotal || created > okTotal + inFlightAllowance) {
      console.log(`! ${okTotal} calls.start answered 2xx but ${created} call sessions exist`);
      failed = true;
    } else {
      console.log(
        `\n${okTotal.toLocaleString("en-US")} calls.start answered 2xx and ${created.toLocaleString("en-US")} ` +
          `call sessions exist (the difference: requests in flight when a run stopped).`,
      );
    }
    // The goal is judged on the time each request spent in the Redis limiter (measured inside the
    // server, one connection): the difference of two end-to-end distributions is only as precise
    // as the machine is quiet, and it is printed above for comparison.
    const inLimiterP99 = results[1]!.redis.limiterPerRequest?.p99 ?? Number.NaN;
    const pingsP99 = results[1]!.ping.limiterPerRequest?.p99 ?? Number.NaN;
    const ratio = inLimiterP99 / pingsP99;
    const goalMet = ratio <= 1.5;
    console.log(
      `${goalMet ? "Goal met" : "Goal missed"}: a request spends ${ms(inLimiterP99)} ms at p99 in the Redis limiter, ` +
        `${ratio.toFixed(2)}x the ${ms(pingsP99)} ms of two bare PINGs in its place (goal: within 1.5x); ` +
        `the two limits in turn took ${ms(results[1]!.turns.limiterPerRequest?.p99 ?? Number.NaN)} ms.`,
    );
    if (!goalMet) failed = true;
    console.log(
      `Written: ${writeResult("calls-start-limiter", {
        load: { rounds, seconds, warmup, levels, calls, loadavg: loadavg() },
        notes: server.info.notes,
        micro,
        http: results,
        callSessions: created,
        answered2xx: okTotal,
      })}`,
    );
  } finally {
    await server.stop();
    await baseline.stop();
  }
  return failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
