/**
 * A tRPC subscription over a plain EventSource, in the wire format of tRPC's
 * httpSubscriptionLink: `GET <url>?input=<{"json": input}>`, then server-sent events:
 * - `connected` (data: `{"reconnectAfterInactivityMs": …}`), then `ping`s while the stream is quiet;
 * - unnamed `message` events whose data is the superjson envelope `{"json": value}`;
 * - `serialized-error` when the procedure throws, `return` when it ends.
 * The browser reconnects after a dropped connection by itself; a stream that stays silent past the
 * server's inactivity limit (no data, no ping) is reopened here. No cookies are sent.
 */
export function subscribe<T>(
  url: string,
  input: unknown,
  onData: (value: T) => void,
  onError: () => void,
): () => void {
  let source: EventSource | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let quietMs = 0;
  let closed = false;

  const close = () => {
    closed = true;
    clearTimeout(watchdog);
    source?.close();
  };
  const fail = () => {
    if (closed) return;
    close();
    onError();
  };
  const alive = () => {
    clearTimeout(watchdog);
    if (quietMs && !closed) watchdog = setTimeout(open, quietMs);
  };

  function open() {
    source?.close();
    const es = new EventSource(`${url}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
    source = es;
    es.addEventListener("connected", (event) => {
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
      onData(value);
    };
    es.addEventListener("serialized-error", fail);
    es.addEventListener("return", close);
    // CLOSED after an error: the server refused the stream (not a dropped connection, which the
    // browser retries on its own while the state is CONNECTING).
    es.onerror = () => {
      if (es === source && es.readyState === 2) fail();
    };
  }

  open();
  return close;
}
