import { Readable } from "node:stream";
import {
  advancePosition,
  cursorOf,
  type FeedEntry,
  type FeedStart,
  feedStart,
  type LoggedEvent,
  type Logger,
  type PubSub,
} from "@cac/core";

/**
 * Server-sent events in the bytes tRPC's SSE producer writes (and its httpSubscriptionLink reads):
 * each field on its line, then a blank line and one more newline.
 */
export const sseBytes = {
  connected: (client: object) => `event: connected\ndata: ${JSON.stringify(client)}\n\n\n`,
  ping: "event: ping\ndata: \n\n\n",
  tracked: (data: string, id: string) => `data: ${data}\nid: ${id}\n\n\n`,
  /** An error that ends the stream for good (the client stops instead of reconnecting). */
  error: (data: string) => `event: serialized-error\ndata: ${data}\n\n\n`,
};

/** Streams written to in one turn of the event loop; the rest wait for the next turn. */
export const DELIVERY_CHUNK = 250;
/** A stream whose client reads nothing is cut past this much unsent (it reconnects and resumes). */
const MAX_UNSENT_BYTES = 1024 * 1024;

type Reader = {
  names: string[];
  /** Per channel: the id of the last event sent (or where the reader started). */
  positions: string[];
  /** Events that arrived while the reader was opening, sent after its start, in order. */
  pending: Array<{ channel: number; event: LoggedEvent; data: string }> | null;
  body: Readable;
};

type Channel = { readers: Set<Reader>; subscribed: Promise<() => Promise<void>> };

export type OpenOptions<T> = {
  names: string[];
  cursor: string | undefined;
  /** The client's settings, sent in the `connected` event. */
  client: object;
  /** What the reader gets before the logs' replay, given where it starts (e.g. the state now). */
  first(start: FeedStart, cursor: string): Promise<FeedEntry<T>[]>;
};

export type LiveHub = {
  /**
   * Subscribes a reader to its channels, finds where it starts (resuming after `cursor` when the
   * logs allow), and resolves with its response body: `connected`, what `first` gives, the replay,
   * then each live event once, with the cursor to resume after it. The body ends when the server
   * drains (`endAll`); destroying it (the client went away) lets the channels go.
   */
  open<T>(options: OpenOptions<T>): Promise<Readable>;
  /** Ends every stream (the server is shutting down): clients reconnect elsewhere and resume. */
  endAll(): void;
  /** How many streams are open. */
  size(): number;
  close(): Promise<void>;
};

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Live streams that share their subscriptions: one pubsub subscription per channel for the whole
 * instance, each event serialized once and written to every reader of its channel, a few hundred
 * streams per turn of the event loop (a ring to thousands of panels never stalls other requests),
 * and one keep-alive timer for all of them.
 */
export function createLiveHub(
  pubsub: PubSub,
  log: Logger,
  options: { serialize(value: unknown): string; pingMs: number },
): LiveHub {
  const channels = new Map<string, Channel>();
  const readers = new Set<Reader>();
  const queue: Array<{ name: string; event: LoggedEvent }> = [];
  let delivering = false;

  const write = (reader: Reader, text: string) => {
    if (reader.body.destroyed) return;
    if (reader.body.readableLength > MAX_UNSENT_BYTES) {
      log.warn({ unsent: reader.body.readableLength }, "cut a live stream whose client reads nothing");
      reader.body.destroy();
      return;
    }
    reader.body.push(text);
  };

  const send = (reader: Reader, channel: number, event: LoggedEvent, data: string) => {
    if (reader.pending) reader.pending.push({ channel, event, data });
    else if (advancePosition(reader.positions, channel, event.id)) {
      write(reader, sseBytes.tracked(data, cursorOf(reader.positions)));
    }
  };

  /** Events in the order they came, each to all its readers, a chunk of them per turn. */
  const deliver = async () => {
    delivering = true;
    try {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const channel = channels.get(next.name);
        if (!channel) continue;
        const data = options.serialize(next.event.message);
        let written = 0;
        for (const reader of [...channel.readers]) {
          if (++written % DELIVERY_CHUNK === 0) await nextTurn();
          send(reader, reader.names.indexOf(next.name), next.event, data);
        }
      }
    } catch (error) {
      log.error({ err: error }, "live event delivery failed");
    } finally {
      delivering = false;
    }
  };

  const onEvent = (name: string, event: LoggedEvent) => {
    queue.push({ name, event });
    // Delivered from the next turn, never inside the publisher's call.
    if (!delivering) {
      delivering = true;
      setImmediate(() => void deliver());
    }
  };

  const attach = async (name: string, reader: Reader) => {
    let channel = channels.get(name);
    if (!channel) {
      const created: Channel = {
        readers: new Set(),
        subscribed: pubsub.subscribe(name, (event) => onEvent(name, event)),
      };
      created.subscribed.catch(() => {
        if (channels.get(name) === created) channels.delete(name);
      });
      channels.set(name, created);
      channel = created;
    }
    channel.readers.add(reader);
    await channel.subscribed;
  };

  const detach = (reader: Reader) => {
    readers.delete(reader);
    for (const name of reader.names) {
      const channel = channels.get(name);
      if (!channel) continue;
      channel.readers.delete(reader);
      if (channel.readers.size > 0) continue;
      channels.delete(name);
      channel.subscribed.then((stop) => stop()).catch(() => {});
    }
  };

  // One keep-alive for every stream, written a chunk of streams per turn.
  const ping = setInterval(() => {
    void (async () => {
      let written = 0;
      for (const reader of [...readers]) {
        if (++written % DELIVERY_CHUNK === 0) await nextTurn();
        if (!reader.pending) write(reader, sseBytes.ping);
      }
    })();
  }, options.pingMs);
  ping.unref();

  return {
    async open<T>({ names, cursor, client, first }: OpenOptions<T>) {
      const body = new Readable({ read() {} });
      const reader: Reader = { names, positions: [], pending: [], body };
      body.once("close", () => detach(reader));
      try {
        // Subscribed first, then read where to start, so nothing published meanwhile is missed.
        await Promise.all(names.map((name) => attach(name, reader)));
        const start = await feedStart(pubsub, names, cursor);
        reader.positions = start.positions;
        const opening = await first(start, cursorOf(start.positions));
        body.push(sseBytes.connected(client));
        for (const entry of opening)
          body.push(sseBytes.tracked(options.serialize(entry.event), entry.cursor));
        for (const { channel, event } of start.held) {
          if (advancePosition(reader.positions, channel, event.id)) {
            body.push(sseBytes.tracked(options.serialize(event.message), cursorOf(reader.positions)));
          }
        }
        const pending = reader.pending ?? [];
        reader.pending = null;
        for (const { channel, event, data } of pending) send(reader, channel, event, data);
      } catch (error) {
        body.destroy();
        throw error;
      }
      if (!body.destroyed) readers.add(reader);
      return body;
    },
    endAll() {
      for (const reader of readers) reader.body.push(null);
    },
    size: () => readers.size,
    async close() {
      clearInterval(ping);
      for (const reader of [...readers]) reader.body.destroy();
      await Promise.all(
        [...channels.values()].map((channel) => channel.subscribed.then((stop) => stop()).catch(() => {})),
      );
      channels.clear();
    },
  };
}
