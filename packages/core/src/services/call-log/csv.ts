/** The characters a spreadsheet may read a formula from: = + - @ and their full-width forms. */
export const CSV_FORMULA_STARTS = "=+-@\uff1d\uff0b\uff0d\uff20";
/**
 * Leading characters a spreadsheet may skip before a formula: ASCII and Unicode whitespace, and the
 * zero-width characters a paste can carry.
 */
export const CSV_SKIPPED_LEADING =
  "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff";

/**
 * Whether a spreadsheet could read the text as a formula: it starts with a tab or carriage return,
 * or its first character after leading whitespace is = + - @ (or a full-width form of one).
 */
export function isFormulaLike(text: string): boolean {
  if (text.startsWith("\t") || text.startsWith("\r")) return true;
  for (const char of text) {
    if (CSV_SKIPPED_LEADING.includes(char)) continue;
    return CSV_FORMULA_STARTS.includes(char);
  }
  return false;
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, with quotes
 * doubled. A text cell a spreadsheet could read as a formula (isFormulaLike) gets a leading
 * apostrophe (OWASP "CSV injection"). Numbers we produce ourselves are written as they are. The
 * export's rows are written by Postgres with the same rules (csvText in call-log.ts); this writes
 * its header.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const text = isFormulaLike(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: Array<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export function callExportHeader(timezone: string): string {
  return csvLine([
    "Call ID",
    `Started (${timezone})`,
    "Started (UTC)",
    "Button",
    "Status",
    "Transport",
    "Duration (seconds)",
    "Billed minutes",
    "Visitor IP",
    "Page URL",
    "Failure reason",
    "Answered by",
    "Tags",
    "Notes",
    "Test call",
    "Language",
    ...VISITOR_CONTEXT_HEADERS,
  ]);
}

/** The visitor-context columns of the call export and the data export, in this order. */
export const VISITOR_CONTEXT_HEADERS = [
  "Source",
  "Referrer",
  "UTM source",
  "UTM medium",
  "UTM campaign",
  "UTM term",
  "UTM content",
  "gclid",
  "Device",
  "Visitor local time",
];
