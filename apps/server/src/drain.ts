import { setMaxListeners } from "node:events";
import { Server } from "node:net";
import type { FastifyInstance } from "fastify";

export type Drain = {
  /** Aborted once the server stops taking new work: live streams end on it. */
  signal: AbortSignal;
  /** Whether the server is stopping (health checks then answer 503). */
  draining(): boolean;
  /**
   * Stops taking new work without cutting anyone off: the listening socket closes (a load
   * balancer's next connection is refused, and it tries another instance), live streams end (their
   * clients reconnect, through the load balancer, to another instance), and every connection still
   * open closes after its next response, which tells its client not to reuse it.
   */
  begin(): void;
  /** Resolves once no connection is left open, or after `ms`. */
  settled(ms: number): Promise<void>;
};

/**
 * The first step of a graceful stop behind a load balancer (main.ts; app.close() does the rest).
 * A connection the load balancer keeps open may carry its next request at any moment, so closing
 * it while idle could drop a request already on its way (nginx retries a GET, never a POST). Each
 * one is closed after a response that says so instead, and the rest once the load balancer, its
 * connections refused, has stopped sending here.
 */
export function registerDrain(app: FastifyInstance): Drain {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const stop = () => controller.abort(new DOMException("The server is shutting down.", "AbortError"));

  // Also on app.close() alone (tests): live streams would otherwise hold it open forever.
  app.addHook("preClose", async () => stop());
  // Callback hooks, not async ones: they run on every response, and do nothing until then.
  app.addHook("onSend", (_req, reply, payload, done) => {
    if (controller.signal.aborted) reply.header("connection", "close");
    done(null, payload);
  });
  // Live streams and other responses whose headers went out before: closed once done.
  app.addHook("onResponse", (req, _reply, done) => {
    if (controller.signal.aborted) req.raw.socket?.end();
    done();
  });

  return {
    signal: controller.signal,
    draining: () => controller.signal.aborted,
    begin() {
      if (controller.signal.aborted) return;
      stop();
      // net.Server's close stops listening and leaves open connections alone; http.Server's would
      // also close the idle ones at once, racing requests already sent on them.
      if (app.server.listening) Server.prototype.close.call(app.server);
    },
    async settled(ms) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        const open = await new Promise<number>((resolve) =>
          app.server.getConnections((error, count) => resolve(error ? 0 : count)),
        );
        if (open === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
