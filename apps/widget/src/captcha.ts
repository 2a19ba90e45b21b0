/**
 * Cloudflare Turnstile before a call or a callback request, when the button's config carries a site key. The script is
 * loaded only then (never by the loader), and the widget is "interaction-only": invisible unless
 * Cloudflare wants the visitor to tick a box, which then shows in the dialog.
 */
const SCRIPT = "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit";
/** A visitor who is asked to interact gets this long before the call gives up. */
export const CAPTCHA_TIMEOUT_MS = 120_000;

type Handlers = Record<string, unknown>;
export type TurnstileApi = {
  render(box: HTMLElement, options: Handlers): string | null | undefined;
  remove(id: string): void;
};

let loading: Promise<TurnstileApi> | undefined;

function load(): Promise<TurnstileApi> {
  const w = window as { turnstile?: TurnstileApi };
  if (w.turnstile) return Promise.resolve(w.turnstile);
  loading ??= new Promise<TurnstileApi>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = SCRIPT;
    script.async = true;
    script.onload = () => (w.turnstile ? resolve(w.turnstile) : reject(Error("no turnstile")));
    script.onerror = () => {
      script.remove();
      loading = undefined;
      reject(Error("blocked"));
    };
    document.head.append(script);
  });
  return loading;
}

/** Replaceable in tests. */
export const captchaDeps = { load };

/**
 * Runs the challenge in `box` and resolves with its token; rejects when it fails, expires, times
 * out, or `signal` aborts (the visitor cancelled). The widget is removed either way. `action` is
 * what the token is for, checked by the server: "call" or "callback".
 */
export async function captchaToken(
  siteKey: string,
  box: HTMLElement,
  signal: AbortSignal,
  action = "call",
): Promise<string> {
  let api: TurnstileApi;
  try {
    api = await captchaDeps.load();
  } catch (error) {
    console.warn(
      "Click & Call: Cloudflare Turnstile could not load. If this page has a Content-Security-Policy, allow https://challenges.cloudflare.com in script-src and frame-src.",
    );
    throw error;
  }
  return new Promise<string>((resolve, reject) => {
    let id: string | null | undefined;
    let settled = false;
    const finish = (token: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", abort);
      if (id) api.remove(id);
      box.hidden = true;
      token ? resolve(token) : reject(Error("captcha"));
    };
    const abort = () => finish(null);
    const fail = () => {
      finish(null);
      // Handled here: Turnstile need not log it.
      return true;
    };
    const timer = setTimeout(abort, CAPTCHA_TIMEOUT_MS);
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort);
    box.hidden = false;
    try {
      id = api.render(box, {
        sitekey: siteKey,
        action,
        appearance: "interaction-only",
        "refresh-expired": "never",
        callback: (token: string) => finish(token),
        "error-callback": fail,
        "expired-callback": fail,
        "timeout-callback": fail,
      });
    } catch {
      fail();
    }
  });
}
