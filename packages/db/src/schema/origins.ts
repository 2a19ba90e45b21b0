import { index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { buttons } from "./buttons";

/**
 * The websites a button's widget was loaded from, for the install status ("Installed on
 * acme.com, last seen 2 minutes ago"; "Seen on other.com, not allowed"). Origins only
 * (scheme, host, port): never a visitor's IP or a page path. Rows not seen for 30 days are
 * deleted by the retention job. Written in batches by each instance (apps/server origin log).
 */
export const buttonOrigins = pgTable(
  "button_origins",
  {
    buttonId: uuid()
      .notNull()
      .references(() => buttons.id, { onDelete: "cascade" }),
    origin: text().notNull(),
    /** The last load from this origin, allowed or not. */
    lastSeenAt: timestamp({ withTimezone: true }).notNull(),
    /** The last load the button's allowed domains let through; null if never. */
    lastAllowedAt: timestamp({ withTimezone: true }),
    /** Loads refused because the origin was not in the allowed domains. */
    refusedCount: integer().notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.buttonId, t.origin] }),
    // The retention job deletes by age.
    index("button_origins_seen_idx").on(t.lastSeenAt),
  ],
);

export type ButtonOrigin = typeof buttonOrigins.$inferSelect;
