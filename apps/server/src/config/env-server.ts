import { z } from "zod";
import { parseProxyList, TRUST_PROXY_HELP, type TrustProxy } from "../client-ip";
import { emptyToUndefined, optionalString } from "./fields";

/** The process, its address, its stores (database, Redis, logo storage), the operators and the jobs. */
export const serverEnv = {
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  // An empty PORT means unset (3000), not 0 (a random port).
  PORT: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: "must be a port number from 0 to 65535" })
      .int("must be a port number from 0 to 65535")
      .min(0, "must be a port number from 0 to 65535")
      .max(65535, "must be a port number from 0 to 65535")
      .default(3000),
  ),
  // Loopback unless production (see derive.ts): a development server is not for the network.
  HOST: optionalString,
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({ protocol: /^https?$/, message: "must be an http(s) URL such as https://calls.example.com" })
      .optional(),
  ),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^postgres(ql)?$/, message: "must be a postgres:// URL" }).optional(),
  ),
  DATA_DIR: z.string().default("./data"),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^rediss?$/, message: "must be a redis:// URL" }).optional(),
  ),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,40}$/, "must be 1 to 40 letters, digits, - or _, like cac-staging")
    .default("cac"),
  // Live streams (the phone panel's, a visitor's call) one instance holds at once per client IP
  // (per /64 for IPv6) and per session (a login, or one call); with Redis, across every instance.
  SSE_STREAMS_PER_IP: z.coerce
    .number({ error: "must be a whole number of streams from 1 to 100000" })
    .int("must be a whole number of streams from 1 to 100000")
    .min(1, "must be a whole number of streams from 1 to 100000")
    .max(100_000, "must be a whole number of streams from 1 to 100000")
    .default(100),
  SSE_STREAMS_PER_SESSION: z.coerce
    .number({ error: "must be a whole number of streams from 1 to 1000" })
    .int("must be a whole number of streams from 1 to 1000")
    .min(1, "must be a whole number of streams from 1 to 1000")
    .max(1000, "must be a whole number of streams from 1 to 1000")
    .default(10),
  // Public button configs one instance keeps in memory (least recently used go first); the rest
  // are read from Redis or PostgreSQL, where every instance keeps them.
  PUBLIC_CONFIG_CACHE_ENTRIES: z.coerce
    .number({ error: "must be a whole number of entries from 100 to 1000000" })
    .int("must be a whole number of entries from 100 to 1000000")
    .min(100, "must be a whole number of entries from 100 to 1000000")
    .max(1_000_000, "must be a whole number of entries from 100 to 1000000")
    .default(10_000),
  OPERATOR_EMAILS: z
    .string()
    .default("")
    .transform((value) =>
      value
        .split(",")
        .map((email) => email.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.email("must be a comma-separated list of email addresses"))),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  WEB_DIST_DIR: optionalString,
  S3_BUCKET: optionalString,
  S3_REGION: z.string().default("auto"),
  S3_ENDPOINT: z.preprocess(
    emptyToUndefined,
    z.url({ message: "must be the storage service URL" }).optional(),
  ),
  S3_ACCESS_KEY_ID: optionalString,
  S3_SECRET_ACCESS_KEY: optionalString,
  S3_FORCE_PATH_STYLE: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
  TRUST_PROXY: optionalString.transform((value, ctx): TrustProxy => {
    if (value === undefined || value === "false" || value === "0") return false;
    if (value === "true") {
      ctx.addIssue({
        code: "custom",
        message: `"true" would trust every X-Forwarded-For entry, so any client could choose its own IP (and escape its rate limits and blocks); ${TRUST_PROXY_HELP}`,
      });
      return z.NEVER;
    }
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops > 10) {
        ctx.addIssue({ code: "custom", message: `counts proxies from 0 to 10; ${TRUST_PROXY_HELP}` });
        return z.NEVER;
      }
      return { hops };
    }
    const list = parseProxyList(value);
    if ("problem" in list) {
      ctx.addIssue({ code: "custom", message: list.problem });
      return z.NEVER;
    }
    return list;
  }),
  // Production refuses the development stand-ins unless one of these says it is meant.
  ALLOW_DEV_OUTBOX_IN_PRODUCTION: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((value) => value === "true"),
  ALLOW_EMBEDDED_DATABASE_IN_PRODUCTION: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((value) => value === "true"),
  PRIVACY_POLICY_FILE: optionalString,
  JOBS_INTERVAL_SECONDS: z.coerce
    .number({ error: "must be a number of seconds from 60 to 86400" })
    .int("must be a whole number of seconds")
    .min(60, "must be at least 60 seconds")
    .max(86400, "must be at most 86400 seconds (a day)")
    .default(3600),
};
