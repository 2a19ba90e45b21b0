import { buildApp } from "./app";
import { loadStartupConfig } from "./startup-config";

const config = loadStartupConfig("Click & Call");

const { app, db } = await buildApp(config);
await db.migrate();
await app.listen({ port: config.port, host: config.host });
app.log.info(`Click & Call portal: ${config.publicUrl.origin}`);

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down");
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await app.close();
    clearTimeout(timer);
    process.exit(0);
  });
}
