import { buildApp } from "./app";
import { ConfigError, loadConfig } from "./config";

// A local .env is optional; real deployments set the environment directly.
try {
  process.loadEnvFile();
} catch {}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Click & Call cannot start.\n${error.message}\nSee .env.example for every setting.`);
    process.exit(1);
  }
  throw error;
}

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
