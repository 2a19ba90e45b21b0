/** The deletion day as the account reads it (its timezone), e.g. "March 31, 2026" — as in the email. */
export function formatDeletionDay(date: Date, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { dateStyle: "long", timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat("en-US", { dateStyle: "long" }).format(date);
  }
}
