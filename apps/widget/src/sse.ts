/**
 * A tRPC subscription over a plain EventSource, in the wire format of tRPC's
 * httpSubscriptionLink: `GET <url>?input=<{"json": input}>`, then server-sent events:
 * - `connected` (data: `{"reconnectAfterInactivityMs": …}`), then `ping`s while the stream is quiet;
 * - unnamed `message` events whose data is the superjson envelope `{"json": value}`, each with the
 *   `id` to resume after it (tRPC's tracked events);
 * - `serialized-error` when the procedure throws, `return` when it ends.
 * No cookies are sent.
 *
 * A stream that drops, is refused (its instance stopped, a proxy's 502, too many streams: 429) or
 * stays silent past the server's inactivity limit is reopened here rather than by the browser:
 * after a jittered wait that doubles with each failure, with the last event's id as the input's
 * `lastEventId`, so the server (whichever instance answers) sends what was missed and nothing twice.
 * `onError` ends it for good: an error the procedure sent, or failing for GIVE_UP_MS.
 */

/** The first retry waits up to this long; each failure doubles it, up to RETRY_MAX_MS. */
export const RETRY_BASE_MS = 1000;
export const RETRY_MAX_MS = 8000;
/** Past this without a stream, the server has ended the call anyway (it waits 45 s). */
export const GIVE_UP_MS = 60_000;

export function subscribe<T>(
  url: string,
  input: object,
  onData: (value: T) => void,
  onError: () => void,
): () => void {
  let source: EventSource | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let quietMs = 0;
  let closed = false;
  let lastEventId = "";
  let failures = 0;
  let failingSince = 0;

  const close = () => {
    closed = true;
    clearTimeout(timer);
    source?.close();
  };
  const fail = () => {
    if (closed) return;
    close();
    onError();
  };
  const alive = () => {
    clearTimeout(timer);
    if (quietMs && !closed) timer = setTimeout(retry, quietMs);
  };

  /** The stream is gone: open another after a jittered, growing wait (full jitter). */
  function retry() {
    if (closed) return;
    source?.close();
    clearTimeout(timer);
    const now = Date.now();
    failingSince ||= now;
    if (now - failingSince > GIVE_UP_MS) return fail();
    timer = setTimeout(open, Math.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** failures++));
  }

  function open() {
    source?.close();
    const json = lastEventId ? { ...input, lastEventId } : input;
    const es = new EventSource(`${url}?input=${encodeURIComponent(JSON.stringify({ json }))}`);
    source = es;
    es.addEventListener("connected", (event) => {
      failures = failingSince = 0;
      try {
        quietMs = Number(JSON.parse((event as MessageEvent).data).reconnectAfterInactivityMs) || 0;
      } catch {
        quietMs = 0;
      }
      alive();
    });
    es.addEventListener("ping", alive);
    es.onmessage = (event) => {
      alive();
      let value: T;
      try {
        value = JSON.parse(event.data).json;
      } catch {
        return;
      }
      lastEventId = event.lastEventId || lastEventId;
      onData(value);
    };
    es.addEventListener("serialized-error", fail);
    es.addEventListener("return", close);
    es.onerror = () => {
      if (es === source) retry();
    };
  }

  open();
  return close;
}
