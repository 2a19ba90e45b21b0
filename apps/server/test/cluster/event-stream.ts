import { EventSource } from "eventsource";

/**
 * A tRPC subscription held as a browser holds it (an EventSource, which reconnects by itself
 * when the stream drops), keeping every event it delivered.
 */
export function openEventStream<T>(
  baseUrl: string,
  procedure: string,
  input: unknown,
  headers: Record<string, string>,
) {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const events: T[] = [];
  let opened = 0;
  const source = new EventSource(`${baseUrl}/trpc/${procedure}${query}`, {
    fetch: (url, init) => {
      const merged = new Headers(init?.headers);
      for (const [name, value] of Object.entries(headers)) merged.set(name, value);
      return fetch(url, { ...init, headers: merged });
    },
  });
  source.addEventListener("connected", () => {
    opened++;
  });
  // tRPC's "the stream is finished": a client then stops, as the widget and the portal do.
  source.addEventListener("return", () => source.close());
  // Data events carry the superjson envelope; the events here are plain JSON.
  source.addEventListener("message", (event) => {
    events.push((JSON.parse(event.data) as { json: T }).json);
  });
  return {
    events,
    /** How many times the stream (re)connected. */
    connections: () => opened,
    close: () => source.close(),
  };
}

/** Polls `check` until it holds. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
