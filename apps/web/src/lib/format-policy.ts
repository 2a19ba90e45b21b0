/** A policy's effective day as written (it is stored as midnight UTC): "June 1, 2026". */
export function formatPolicyDate(date: Date): string {
  return date.toLocaleDateString("en-US", { timeZone: "UTC", dateStyle: "long" });
}

/** Today as YYYY-MM-DD in the browser's time zone, for a date input's default. */
export function todayIso(now = new Date()): string {
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}
