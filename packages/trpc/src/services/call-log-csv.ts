/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, a quote or a line break, with quotes
 * doubled. A text cell a spreadsheet would read as a formula (starting with = + - @, or a tab or
 * carriage return that some spreadsheets skip before one) gets a leading apostrophe (OWASP
 * "CSV injection"). Numbers we produce ourselves are written as they are. The export's rows are
 * written by Postgres with the same rules (csvText in call-log.ts); this writes its header.
 */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
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
  ]);
}
