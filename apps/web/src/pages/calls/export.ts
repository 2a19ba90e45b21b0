/**
 * Downloads the call log's CSV export while counting its rows, so the page can show progress.
 * The server announces the row count in `X-Total-Rows` before it streams the rows.
 */

import { filenameFrom } from "../../lib/download";

export type ExportProgress = { rows: number; total: number | null };

export type ExportResult = { blob: Blob; filename: string; rows: number; total: number | null };

export class ExportError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = "ExportError";
  }
}

/**
 * Counts CSV records (RFC 4180) across chunks: a line break inside a quoted cell is part of the
 * cell, not the end of a record. The first record is the header.
 */
export function createRecordCounter() {
  let inQuotes = false;
  let records = 0;
  return {
    push(text: string) {
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        // A doubled quote inside a quoted cell toggles twice, which leaves the state as it was.
        if (c === 34) inQuotes = !inQuotes;
        else if (c === 10 && !inQuotes) records++;
      }
    },
    /** Data rows written so far (records after the header). */
    get rows() {
      return Math.max(0, records - 1);
    },
  };
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === "string" && body.error) return body.error;
  } catch {
    // Not our JSON error body (a proxy's page, a cut connection): use the generic message.
  }
  if (response.status === 401) return "Your session has ended. Log in again to export.";
  return "We could not prepare the export. Please try again.";
}

export async function downloadCallExport(
  url: string,
  options: { signal: AbortSignal; onProgress: (progress: ExportProgress) => void },
): Promise<ExportResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "text/csv" },
      signal: options.signal,
      cache: "no-store",
    });
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new ExportError("We could not reach Click & Call. Check your connection and try again.", null);
  }
  if (!response.ok) throw new ExportError(await errorMessage(response), response.status);

  const header = response.headers.get("X-Total-Rows");
  const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
  const filename = filenameFrom(response.headers.get("Content-Disposition"), "calls.csv");
  const counter = createRecordCounter();
  const parts: Uint8Array<ArrayBuffer>[] = [];
  options.onProgress({ rows: 0, total });

  const body = response.body;
  if (!body) {
    const text = await response.text();
    counter.push(text);
    options.onProgress({ rows: counter.rows, total });
    return { blob: new Blob([text], { type: "text/csv" }), filename, rows: counter.rows, total };
  }
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value as Uint8Array<ArrayBuffer>);
      counter.push(decoder.decode(value, { stream: true }));
      options.onProgress({ rows: counter.rows, total });
    }
  } catch (error) {
    if (options.signal.aborted) throw error;
    throw new ExportError("The export was interrupted. Please try again.", null);
  } finally {
    reader.releaseLock();
  }
  counter.push(decoder.decode());
  return {
    blob: new Blob(parts, { type: "text/csv;charset=utf-8" }),
    filename,
    rows: counter.rows,
    total,
  };
}
