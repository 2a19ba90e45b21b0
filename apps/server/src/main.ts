import { buildApp } from "./app";
import { loadStartupConfig } from "./startup-config";

const config = loadStartupConfig("Click & Call");

const { app, db } = await buildApp(config);
await db.migrate();
await app.listen({ port: config.port, host: config.host });
app.log.info(`Click & Call portal: ${config.publicUrl.origin}`);

/** A drain takes well under this; past it, exit 1 rather than hang (the platform would kill us). */
const SHUTDOWN_DEADLINE_MS = 10_000;

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
      // Stops accepting, ends live streams, waits for requests in flight, then closes the jobs,
      // Redis and the database (the app's onClose hooks).
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
