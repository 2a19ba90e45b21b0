import { ipSchema, text } from "@cac/core/domain";
import { z } from "zod";
import { accountRefOutput } from "../output.schema";

const reasonSchema = text()
  .trim()
  .max(500, "Keep the reason under 500 characters.")
  .optional()
  .transform((value) => value || undefined);

/** Block by one of the account's calls (its visitor IP) or by an IP typed in; exactly one of them. */
export const blockIpInput = z
  .object({
    callId: z.uuid("This call does not exist.").optional(),
    ip: ipSchema.optional(),
    reason: reasonSchema,
  })
  .refine((input) => (input.callId === undefined) !== (input.ip === undefined), {
    path: ["ip"],
    message: "Choose a call or enter an IP address to block (one of them).",
  });

export const unblockIpInput = z.object({ ip: ipSchema });

export const FLAGS_PAGE_SIZE = 25;
export const EVENTS_PAGE_SIZE = 50;

const page = z.number().int().min(1, "Pages start at 1.").max(10_000).default(1);

export const listFlagsInput = z
  .object({
    status: z
      .enum(["active", "expired", "cleared", "all"], {
        error: "Status is one of: active, expired, cleared, all.",
      })
      .default("active"),
    /** The start of an address: "203.0.113" finds 203.0.113.7 and 203.0.113.80. */
    ip: text()
      .trim()
      .max(64, "Enter at most 64 characters of an IP address.")
      .regex(/^[0-9a-fA-F.:]*$/, "Search with digits, dots and colons, like 203.0.113 or 2001:db8.")
      .optional()
      .transform((value) => value || undefined),
    page,
    pageSize: z.number().int().min(1).max(100).default(FLAGS_PAGE_SIZE),
  })
  .prefault({});

export const clearFlagInput = z.object({ id: z.uuid("This flag does not exist.") });

export const addBlockInput = z.object({
  ip: ipSchema,
  reason: text()
    .trim()
    .min(1, "Say why this IP is blocked.")
    .max(500, "Keep the reason under 500 characters."),
  /** Absent: blocked until an operator clears it. */
  expiresInHours: z
    .number({ error: "Enter the hours as a whole number." })
    .int("Enter the hours as a whole number.")
    .min(1, "Block for at least 1 hour, or leave the expiry empty.")
    .max(24 * 366, "Block for at most a year, or leave the expiry empty to block until cleared.")
    .optional(),
});

export const listEventsInput = z
  .object({
    ip: ipSchema.optional(),
    page,
    pageSize: z.number().int().min(1).max(200).default(EVENTS_PAGE_SIZE),
  })
  .prefault({});

/** An IP the owner blocked from the account's buttons. */
export const ipBlockOutput = z.object({
  id: z.string(),
  ip: z.string(),
  reason: z.string(),
  createdAt: z.date(),
});

/** `created` is false when the IP was blocked already. */
export const blockIpOutput = ipBlockOutput.extend({ created: z.boolean() });

export const unblockIpOutput = z.object({ cleared: z.number() });

/** One page of flags for the operators' review. */
export const flagsPageOutput = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      ip: z.string(),
      reason: z.string(),
      source: z.enum(["auto", "operator", "customer"]),
      account: accountRefOutput,
      status: z.enum(["active", "expired", "cleared"]),
      createdAt: z.date(),
      expiresAt: z.date().nullable(),
      clearedAt: z.date().nullable(),
    }),
  ),
  total: z.number(),
  page: z.number(),
  pageSize: z.number(),
});

export const clearFlagOutput = z.object({ id: z.string(), clearedAt: z.date(), alreadyCleared: z.boolean() });

export const addBlockOutput = z.object({ id: z.string() });

/** One page of security events, newest first. */
export const eventsPageOutput = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      ip: z.string().nullable(),
      kind: z.string(),
      account: accountRefOutput,
      /** What the event recorded (limits, counts, a reason): operators read it as is. */
      detail: z.record(z.string(), z.unknown()),
      count: z.number(),
      createdAt: z.date(),
    }),
  ),
  page: z.number(),
  pageSize: z.number(),
  hasMore: z.boolean(),
});
