/**
 * A tRPC subscription read over plain HTTP, as a browser's EventSource receives it: each SSE event
 * with its `id`, name and data. The test decides when the stream drops (`drop()`) and how it comes
 * back (the `lastEventId` input, or the `Last-Event-ID` header a browser sends on its own).
 */
export type SseEvent = { id: string | undefined; event: string; data: unknown };

export type SseStream = {
  status: number;
  headers: Headers;
  /** A refusal's JSON body (the stream did not open). */
  refusal: unknown;
  events: SseEvent[];
  /** The tracked events' data, in order. */
  data(): unknown[];
  /** The id of the last tracked event. */
  lastId(): string | undefined;
  /** Waits until `count` tracked events have arrived (or the stream ended). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** Drops the connection, as a network failure or an instance going away would. */
  drop(): void;
};

export async function readSse(
  url: string,
  options: { fetch?: typeof fetch; headers?: Record<string, string> } = {},
): Promise<SseStream> {
  const abort = new AbortController();
  const res = await (options.fetch ?? fetch)(url, {
    headers: { accept: "text/event-stream", ...options.headers },
    signal: abort.signal,
  });
  const refusal = res.ok ? undefined : await res.json().catch(() => undefined);
  const events: SseEvent[] = [];
  const tracked = () => events.filter((e) => e.event === "message" && e.id);
  const waiters = new Set<() => void>();
  let done = false;
  const ended = (async () => {
    if (!res.ok || !res.body) return;
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) => new RegExp(`^${name}: ?(.*)$`, "m").exec(block)?.[1];
          const data = field("data");
          if (data !== undefined) {
            events.push({
              id: field("id") || undefined,
              event: field("event") ?? "message",
              data: data ? JSON.parse(data) : "",
            });
          }
          end = buffer.indexOf("\n\n");
        }
        for (const wake of waiters) wake();
      }
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      done = true;
      for (const wake of waiters) wake();
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    refusal,
    events,
    data: () => tracked().map((e) => (e.data as { json: unknown }).json),
    lastId: () => tracked().at(-1)?.id,
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (tracked().length < count && !done) {
        if (Date.now() > deadline) throw new Error(`got ${JSON.stringify(events)}, expected ${count} events`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, 100);
          waiters.add(wake);
        });
      }
    },
    ended,
    drop: () => abort.abort(),
  };
}

/** The URL of a subscription with its input as tRPC's httpSubscriptionLink sends it. */
export function subscriptionUrl(base: string, path: string, input?: unknown): string {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  return `${base}/trpc/${path}${query}`;
}
