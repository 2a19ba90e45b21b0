import type { DbHandle } from "@cac/db";

/**
 * Counts the statements the database driver is sent, in all (`total`) and by their first word
 * (`select`, `update`, `with`, …): PGlite's `query` and `exec`, postgres.js's `unsafe` (what
 * Drizzle calls). Each statement sent is one round trip. Restored by `stop()`. Statements `except`
 * matches (another part of the server's, e.g. the email queue's polls) are not counted.
 */
export function countStatements(handle: DbHandle, options: { except?: (text: string) => boolean } = {}) {
  const counts: Record<string, number> & { total: number } = { total: 0 };
  const sent: string[] = [];
  const client = (handle.db as unknown as { $client: Record<string, unknown> }).$client;
  const originals = new Map<string, unknown>();
  for (const method of ["query", "exec", "unsafe"]) {
    const original = client[method];
    if (typeof original !== "function") continue;
    originals.set(method, original);
    client[method] = (...args: unknown[]) => {
      const text = String(args[0]).trim();
      if (options.except?.(text)) return original.apply(client, args);
      const verb = text.split(/\s/)[0]?.toLowerCase() ?? "";
      counts[verb] = (counts[verb] ?? 0) + 1;
      counts.total++;
      sent.push(text);
      return original.apply(client, args);
    };
  }
  return {
    counts,
    /** The statements' texts, in the order sent (for a failing expectation's message). */
    sent,
    stop: () => {
      for (const [method, original] of originals) client[method] = original;
    },
  };
}
