import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { accounts } from "./accounts";

export type ButtonStyle = {
  background: string;
  text: string;
  size: "small" | "medium" | "large";
  shape: "pill" | "rounded" | "square" | "circle";
  position: "bottom-right" | "bottom-left" | "inline";
  icon: string;
};
/** Minutes from midnight in the button's timezone; `end < start` means the interval runs overnight. */
export type WeeklyHours = Array<Array<{ start: number; end: number }>>;

/** The languages the widget speaks to visitors. */
export const widgetLanguages = ["en", "es"] as const;
export type WidgetLanguage = (typeof widgetLanguages)[number];
/** The owner's own texts per language; a missing text falls back to the widget's default for that language. */
export type ButtonTexts = Partial<Record<WidgetLanguage, { label?: string; closedMessage?: string }>>;

export const buttons = pgTable(
  "buttons",
  {
    id: uuid().primaryKey().defaultRandom(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    publicId: text().notNull().unique(),
    name: text().notNull(),
    label: text().notNull(),
    enabled: boolean().notNull().default(true),
    style: jsonb().$type<ButtonStyle>().notNull(),
    logoKey: text(),
    // Stored size of the logo, counted against the account's logo storage quota.
    logoBytes: integer(),
    phoneNumber: text(),
    ringPortal: boolean().notNull().default(true),
    timezone: text().notNull(),
    hours: jsonb().$type<WeeklyHours>().notNull(),
    holidays: jsonb().$type<string[]>().notNull().default([]),
    closedBehavior: text({ enum: ["hide", "message", "callback"] })
      .notNull()
      .default("callback"),
    // The widget dialog's colors: light, dark, or the visitor's `prefers-color-scheme` ("auto").
    // Light by default, so buttons made before the option look as they did.
    theme: text({ enum: ["light", "dark", "auto"] })
      .notNull()
      .default("light"),
    allowedDomains: jsonb().$type<string[]>().notNull().default([]),
    // "auto" follows the visitor's browser (navigator.languages, else English); otherwise fixed.
    language: text({ enum: ["auto", ...widgetLanguages] })
      .notNull()
      .default("auto"),
    texts: jsonb().$type<ButtonTexts>().notNull().default({}),
    // Send the visitor's context (referrer, UTM/gclid, device, local time) with calls and callbacks.
    collectContext: boolean().notNull().default(true),
    // Push conversion events to the page's window.dataLayer (opt-in: the page's tag manager sees them).
    conversionEvents: boolean().notNull().default(false),
    disabledReason: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("buttons_account_idx").on(t.accountId, t.createdAt),
    // The public config sweep reads the buttons changed in the last minutes.
    index("buttons_updated_idx").on(t.updatedAt),
  ],
);

export type Button = typeof buttons.$inferSelect;

/**
 * The widget's public config of a live button, serialized for one hour of open windows: the
 * shared copy every instance reads when Redis is not configured (apps/server public config cache).
 * Derived data, dropped with its button; a row of another version or hour is never served.
 */
export const publicConfigs = pgTable("public_configs", {
  publicId: text()
    .primaryKey()
    .references(() => buttons.publicId, { onDelete: "cascade" }),
  /** The button's `updated_at` (ms) the body was made from. */
  version: bigint({ mode: "number" }).notNull(),
  /** The start of the hour the body's open windows begin at (ms). */
  hour: bigint({ mode: "number" }).notNull(),
  /** The API origin and captcha site key the body names. */
  context: text().notNull(),
  allowedDomains: jsonb().$type<string[]>().notNull(),
  etag: text().notNull(),
  /** The JSON body exactly as served. */
  body: text().notNull(),
  storedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
