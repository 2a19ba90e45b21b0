import { type AppConfig, ConfigError, loadConfig } from "./config";

/**
 * The configuration for a process started from the command line (the server, the jobs CLI).
 * Reads a local .env when there is one; a bad or missing setting prints its reason and exits
 * with 1 rather than a stack trace.
 */
export function loadStartupConfig(processName: string): AppConfig {
  // A local .env is optional; real deployments set the environment directly.
  try {
    process.loadEnvFile();
  } catch {}
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`${processName} cannot start.\n${error.message}\nSee .env.example for every setting.`);
      process.exit(1);
    }
    throw error;
  }
}
