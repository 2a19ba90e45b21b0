import { Alert, Button, ProgressBar } from "@cac/ui";
import { useEffect, useRef, useState } from "react";
import { track } from "../../lib/analytics";
import { saveBlob } from "../../lib/download";
import { downloadCallExport, ExportError, type ExportProgress } from "./export";
import { type CallFilters, toExportQuery } from "./filters";
import { formatCount } from "./format";

type ExportState =
  | { phase: "idle" }
  | { phase: "running"; progress: ExportProgress }
  | { phase: "done"; rows: number; total: number | null; filename: string }
  | { phase: "canceled"; rows: number; total: number | null }
  | { phase: "failed"; message: string };

function progressText(rows: number, total: number | null): string {
  return total === null
    ? `${formatCount(rows)} rows`
    : `${formatCount(rows)} of ${formatCount(total)} row${total === 1 ? "" : "s"}`;
}

/** "Export CSV" for the filtered log: streams the file, shows rows received against the total, can be canceled. */
export function CsvExport({ filters, disabled }: { filters: CallFilters; disabled?: boolean }) {
  const [state, setState] = useState<ExportState>({ phase: "idle" });
  const controller = useRef<AbortController | null>(null);

  // Leaving the page stops a running export.
  useEffect(() => () => controller.current?.abort(), []);

  const start = async () => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    let last: ExportProgress = { rows: 0, total: null };
    setState({ phase: "running", progress: last });
    track("export_started", { filtered: toExportQuery(filters) !== "" });
    try {
      const result = await downloadCallExport(`/exports/calls.csv${toExportQuery(filters)}`, {
        signal: abort.signal,
        onProgress: (progress) => {
          last = progress;
          setState({ phase: "running", progress });
        },
      });
      if (abort.signal.aborted) return;
      saveBlob(result.blob, result.filename);
      setState({ phase: "done", rows: result.rows, total: result.total, filename: result.filename });
    } catch (error) {
      if (abort.signal.aborted) {
        if (controller.current === abort) setState({ phase: "canceled", ...last });
        return;
      }
      setState({
        phase: "failed",
        message:
          error instanceof ExportError ? error.message : "We could not prepare the export. Please try again.",
      });
    } finally {
      if (controller.current === abort) controller.current = null;
    }
  };

  const cancel = () => controller.current?.abort();
  const running = state.phase === "running";

  return (
    <div className="calls-export">
      <div className="calls-export-actions">
        {running ? (
          <Button variant="secondary" size="sm" onClick={cancel}>
            Cancel export
          </Button>
        ) : (
          <Button variant="secondary" size="sm" onClick={start} disabled={disabled}>
            Export CSV
          </Button>
        )}
      </div>
      {state.phase === "running" ? (
        <ProgressBar
          className="calls-export-progress"
          label="Exporting calls"
          value={state.progress.rows}
          max={state.progress.total ?? 0}
          indeterminate={state.progress.total === null || state.progress.total === 0}
          valueText={progressText(state.progress.rows, state.progress.total)}
          detail={progressText(state.progress.rows, state.progress.total)}
        />
      ) : null}
      <div aria-live="polite" className="calls-export-status">
        {state.phase === "done" ? (
          <p className="muted">
            Downloaded {state.filename}: {progressText(state.rows, state.total)}.
          </p>
        ) : state.phase === "canceled" ? (
          <p className="muted">
            Export canceled after {progressText(state.rows, state.total)}. Nothing was saved.
          </p>
        ) : null}
      </div>
      {state.phase === "failed" ? (
        <Alert tone="error" title="The export failed">
          {state.message}
        </Alert>
      ) : null}
    </div>
  );
}
