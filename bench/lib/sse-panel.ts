// A lean client of one server-sent event stream, for benchmarks that hold thousands of them in one
// process: a raw HTTP request, no EventSource, and only what the benchmark reads from the bytes
// (the `connected` event, ring events' session ids, the last event id). Parsing costs the
// benchmark's own process as little as it can, so the figures are the server's.
import { type ClientRequest, request } from "node:http";

/** Where a ring's arrivals are counted: one entry per call, shared by every panel. */
export type RingArrivals = Map<string, { count: number; lastAt: number; firstAt: number }>;

export type Panel = {
  /** The id of the last event received (tracked events), for a resumed stream. */
  lastId: string | undefined;
  /** Resolves when the server ends the stream (or the socket closes). */
  ended: Promise<void>;
  close(): void;
};

const RING = /"type":"ring","call":\{"sessionId":"([0-9a-f-]{36})"/g;
const EVENT_ID = /(?:^|\n)id: ([^\n]+)/g;

/**
 * Opens the stream at `url` (with `lastEventId` as tRPC's subscription input when given) and
 * resolves once its `connected` event has arrived. Each ring seen is counted in `rings`.
 */
export function openPanel(
  url: string,
  headers: Record<string, string>,
  rings: RingArrivals,
  lastEventId?: string,
): Promise<Panel> {
  const target = lastEventId
    ? `${url}?input=${encodeURIComponent(JSON.stringify({ json: { lastEventId } }))}`
    : url;
  return new Promise((resolve, reject) => {
    let req: ClientRequest;
    let endedResolve: () => void = () => {};
    const panel: Panel = {
      lastId: lastEventId,
      ended: new Promise<void>((done) => {
        endedResolve = done;
      }),
      close: () => req.destroy(),
    };
    let connected = false;
    let carry = "";
    req = request(target, { headers: { accept: "text/event-stream", ...headers }, agent: false });
    req.on("response", (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new Error(`${url} answered ${res.statusCode}`));
        return;
      }
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        const text = carry + chunk;
        const at = performance.now();
        let end = 0;
        RING.lastIndex = 0;
        for (let match = RING.exec(text); match; match = RING.exec(text)) {
          const sessionId = match[1] ?? "";
          const entry = rings.get(sessionId);
          if (entry) {
            entry.count++;
            entry.lastAt = at;
          } else rings.set(sessionId, { count: 1, lastAt: at, firstAt: at });
          end = RING.lastIndex;
        }
        EVENT_ID.lastIndex = 0;
        for (let match = EVENT_ID.exec(text); match; match = EVENT_ID.exec(text)) {
          if (match[1]) panel.lastId = match[1];
        }
        if (!connected && text.includes("event: connected")) {
          connected = true;
          resolve(panel);
        }
        // What may hold the start of a ring split across chunks; never a ring already counted.
        carry = text.slice(Math.max(end, text.length - 200));
      });
      res.on("close", () => endedResolve());
    });
    req.on("error", (error) => {
      endedResolve();
      if (!connected) reject(error);
    });
    req.end();
  });
}

/** Runs `tasks` with at most `limit` of them in flight; resolves with their results in order. */
export async function inBatches<T>(
  count: number,
  limit: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}
