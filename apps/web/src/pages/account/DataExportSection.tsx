import { Alert, Button, Card } from "@cac/ui";
import { useState } from "react";
import { filenameFrom, saveBlob } from "../../lib/download";

type State =
  | { phase: "idle" }
  | { phase: "running" }
  | { phase: "done"; filename: string }
  | { phase: "failed"; message: string };

/** Owner only: "Download my data" (the privacy policy's right to a copy), a JSON file. */
export function DataExportSection() {
  const [state, setState] = useState<State>({ phase: "idle" });

  const download = async () => {
    setState({ phase: "running" });
    try {
      const res = await fetch("/exports/account.json", { credentials: "same-origin" });
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: string } | null;
        setState({
          phase: "failed",
          message: body?.error ?? "We could not prepare your data. Please try again.",
        });
        return;
      }
      const blob = await res.blob();
      const filename = filenameFrom(res.headers.get("content-disposition"), "click-and-call-data.json");
      saveBlob(blob, filename);
      setState({ phase: "done", filename });
    } catch {
      setState({
        phase: "failed",
        message: "We could not reach the server. Check your connection and try again.",
      });
    }
  };

  return (
    <Card
      id="your-data"
      title="Your data"
      description="A copy of everything we hold about this account, as one JSON file."
    >
      <div className="stack">
        <p>
          It holds the account and its users (with their login sessions), call buttons, every call with the
          visitor's IP address, callback requests, the subscription and billing records. Passwords are never
          included.
        </p>
        <div aria-live="polite">
          {state.phase === "done" ? <Alert tone="success">Downloaded {state.filename}.</Alert> : null}
        </div>
        {state.phase === "failed" ? (
          <Alert tone="error" title="The download failed">
            {state.message}
          </Alert>
        ) : null}
        <div className="form-actions">
          <Button
            variant="secondary"
            onClick={download}
            pending={state.phase === "running"}
            pendingLabel="Preparing your data…"
          >
            Download my data
          </Button>
        </div>
      </div>
    </Card>
  );
}
