import type { PublicButtonConfig } from "@cac/core/domain";
import { Alert, Button, Spinner } from "@cac/ui";
import { useEffect, useRef, useState } from "react";

type PreviewOptions = { target: HTMLElement; config: PublicButtonConfig | null; now?: number };
type WidgetApi = ((command: "preview", options: PreviewOptions) => void) & { v?: number };

declare global {
  interface Window {
    ClickAndCall?: WidgetApi;
  }
}

let loading: Promise<WidgetApi> | null = null;

/**
 * Loads the same `/widget.js` visitors get, once per page, without a `data-button`: it then only
 * answers `ClickAndCall("preview", …)`. Same origin, so the portal's `script-src 'self'` allows it.
 */
function loadWidget(): Promise<WidgetApi> {
  if (window.ClickAndCall?.v) return Promise.resolve(window.ClickAndCall);
  loading ??= new Promise<WidgetApi>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "/widget.js";
    script.async = true;
    script.onload = () => {
      const api = window.ClickAndCall;
      if (api?.v) resolve(api);
      else reject(new Error("widget.js loaded but did not start"));
    };
    script.onerror = () => reject(new Error("widget.js could not be loaded"));
    document.head.append(script);
  }).catch((error: unknown) => {
    // Let a retry insert the script again.
    loading = null;
    document.querySelector('script[src="/widget.js"]:not([data-button])')?.remove();
    throw error;
  });
  return loading;
}

/**
 * The real widget mounted in preview mode inside a mock page. It re-renders on every change of
 * `config` or `now` (the caller debounces) and unmounts when this component does.
 */
export function WidgetPreview({ config, now }: { config: PublicButtonConfig; now: number | undefined }) {
  const target = useRef<HTMLDivElement>(null);
  const [api, setApi] = useState<WidgetApi | null>(null);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` is the retry trigger
  useEffect(() => {
    let live = true;
    setFailed(false);
    loadWidget().then(
      (loaded) => live && setApi(() => loaded),
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  useEffect(() => {
    const element = target.current;
    if (!api || !element) return;
    api("preview", { target: element, config, now });
  }, [api, config, now]);

  useEffect(() => {
    const element = target.current;
    if (!api || !element) return;
    return () => api("preview", { target: element, config: null });
  }, [api]);

  return (
    <div className="preview-site">
      <div className="preview-site-bar" aria-hidden="true">
        <span className="preview-dot" />
        <span className="preview-dot" />
        <span className="preview-dot" />
      </div>
      <div className="preview-site-page">
        <div className="preview-site-text" aria-hidden="true">
          <span className="preview-line preview-line--title" />
          <span className="preview-line" />
          <span className="preview-line preview-line--short" />
        </div>
        <div ref={target} className={`preview-target preview-target--${config.style.position}`} />
        <div className="preview-overlay">
          {failed ? (
            <Alert
              tone="error"
              title="The preview could not load the widget"
              actions={
                <Button size="sm" variant="secondary" onClick={() => setAttempt((n) => n + 1)}>
                  Try again
                </Button>
              }
            >
              Your settings can still be saved.
            </Alert>
          ) : api ? null : (
            <Spinner label="Loading the preview…" showLabel />
          )}
        </div>
      </div>
    </div>
  );
}
