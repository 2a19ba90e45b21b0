import { buildApp } from "./app";
import { loadStartupConfig } from "./startup-config";

const config = loadStartupConfig("Click & Call");

const { app, db, drain } = await buildApp(config);
// Instances starting together take turns (an advisory lock): one applies what is new, the others none.
const { applied } = await db.migrate();
app.log.info({ applied }, applied ? "database migrations applied" : "database schema up to date");
await app.listen({ port: config.port, host: config.host });
app.log.info(`Click & Call portal: ${config.publicUrl.origin}`);

/** A drain takes well under this; past it, exit 1 rather than hang (the platform would kill us). */
const SHUTDOWN_DEADLINE_MS = 10_000;
/**
 * How long connections a load balancer keeps open may still bring requests after the listening
 * socket closed: it stops sending once one of its new connections is refused (nginx then leaves
 * the instance out for its fail_timeout), and whatever is left is closed after this.
 */
const DRAIN_GRACE_MS = 1000;

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    const started = performance.now();
    app.log.info({ signal }, "shutting down: draining requests and live streams");
    const timer = setTimeout(() => {
      app.log.error("shutdown did not finish in time; exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    try {
      // Stops accepting and ends live streams; requests still arriving on open connections are
      // answered, each connection closing after its response.
      drain.begin();
      await drain.settled(DRAIN_GRACE_MS);
      // Then waits for requests in flight, and closes the jobs, Redis and the database (the
      // app's onClose hooks).
      await app.close();
    } catch (error) {
      app.log.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
    clearTimeout(timer);
    app.log.info({ ms: Math.round(performance.now() - started) }, "stopped: connections and pools closed");
    process.exit(0);
  });
}
