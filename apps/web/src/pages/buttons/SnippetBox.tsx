import { type EmbedPlatform, embedGuides, widgetCspDirectives } from "@cac/core/domain";
import { Button } from "@cac/ui";
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { track } from "../../lib/analytics";
import { useSystemInfo } from "../../lib/system";

/**
 * The embed snippet with a Copy button. When the clipboard is not available (permission denied,
 * an old browser), the text is selected so Ctrl+C / Cmd+C copies it.
 */
export function SnippetBox({ snippet }: { snippet: string }) {
  const id = useId();
  const [platform, setPlatform] = useState<EmbedPlatform>("html");
  const tabs = useRef<Array<HTMLButtonElement | null>>([]);
  const guide = embedGuides.find((g) => g.id === platform) ?? embedGuides[0];
  const system = useSystemInfo();
  const widgetOrigin = new URL(/src="([^"]+)"/.exec(snippet)?.[1] ?? window.location.href).origin;
  const csp = widgetCspDirectives(widgetOrigin, {
    twilio: /twilio/i.test(system.data?.modes.voice ?? ""),
    turnstile: /turnstile/i.test(system.data?.modes.captcha ?? ""),
  });
  // Arrow keys move between the tabs (WAI-ARIA tabs pattern, activation follows focus).
  const onTabKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    const to = event.key === "Home" ? 0 : event.key === "End" ? embedGuides.length - 1 : index + step;
    if (to === index && step === 0 && event.key !== "Home" && event.key !== "End") return;
    event.preventDefault();
    const next = (to + embedGuides.length) % embedGuides.length;
    const nextGuide = embedGuides[next];
    if (nextGuide) setPlatform(nextGuide.id);
    tabs.current[next]?.focus();
  };
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
        builder that lets you add custom code: pick yours for the exact steps.
      </p>
      <div role="tablist" aria-label="Where your site is built" className="embed-tabs">
        {embedGuides.map((g, index) => (
          <button
            key={g.id}
            ref={(el) => {
              tabs.current[index] = el;
            }}
            type="button"
            role="tab"
            id={`${id}-tab-${g.id}`}
            aria-selected={g.id === platform}
            aria-controls={`${id}-panel`}
            tabIndex={g.id === platform ? 0 : -1}
            className="embed-tab"
            onClick={() => setPlatform(g.id)}
            onKeyDown={(event) => onTabKey(event, index)}
          >
            {g.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${id}-panel`}
        aria-labelledby={`${id}-tab-${platform}`}
        className="embed-panel"
      >
        <ol className="embed-steps">
          {guide?.steps.map((step) => (
            <li key={step}>{step}</li>
          ))}
        </ol>
      </div>
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
      <details className="embed-csp">
        <summary>Your site sends a Content-Security-Policy?</summary>
        <p className="ui-hint">Add these directives to it (keep what is there already):</p>
        <pre className="snippet-code">{csp.map((d) => `${d};`).join("\n")}</pre>
      </details>
    </div>
  );
}
