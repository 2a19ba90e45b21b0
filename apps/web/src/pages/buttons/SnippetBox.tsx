import { Button } from "@cac/ui";
import { useEffect, useId, useRef, useState } from "react";
import { track } from "../../lib/analytics";

/**
 * The embed snippet with a Copy button. When the clipboard is not available (permission denied,
 * an old browser), the text is selected so Ctrl+C / Cmd+C copies it.
 */
export function SnippetBox({ snippet }: { snippet: string }) {
  const id = useId();
  const textRef = useRef<HTMLTextAreaElement>(null);
  const [state, setState] = useState<"idle" | "copied" | "manual">("idle");

  useEffect(() => {
    if (state !== "copied") return;
    const timer = setTimeout(() => setState("idle"), 4000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet);
      setState("copied");
      track("snippet_copied");
    } catch {
      textRef.current?.focus();
      textRef.current?.select();
      setState("manual");
    }
  };

  return (
    <div className="snippet">
      <label className="ui-label" htmlFor={`${id}-code`}>
        Embed snippet
      </label>
      <p className="ui-hint" id={`${id}-hint`}>
        Paste it into your site's HTML, just before <code>&lt;/body&gt;</code>. It works with any website
        builder that lets you add custom code.
      </p>
      <textarea
        ref={textRef}
        id={`${id}-code`}
        className="snippet-code"
        readOnly
        rows={3}
        value={snippet}
        aria-describedby={`${id}-hint`}
        spellCheck={false}
        onFocus={(event) => event.currentTarget.select()}
      />
      <div className="snippet-actions">
        <Button variant="secondary" onClick={copy}>
          Copy snippet
        </Button>
        <p className="snippet-status" role="status">
          {state === "copied" ? (
            <span className="snippet-copied">Copied to the clipboard</span>
          ) : state === "manual" ? (
            "Your browser did not let us copy. The snippet is selected: press Ctrl+C (⌘C on a Mac)."
          ) : null}
        </p>
      </div>
    </div>
  );
}
