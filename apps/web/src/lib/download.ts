/** Saving a file the server sent: its name from the response, the bytes to the browser's downloads. */

/** `attachment; filename="calls-2025-03-04.csv"` → `calls-2025-03-04.csv`. */
export function filenameFrom(disposition: string | null, fallback: string): string {
  const match = disposition ? /filename="?([^";]+)"?/i.exec(disposition) : null;
  return match?.[1]?.trim() || fallback;
}

/** Hands a finished file to the browser's downloads, through a short-lived Blob URL. */
export function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  // Give the browser time to start reading the file before the URL goes away.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
