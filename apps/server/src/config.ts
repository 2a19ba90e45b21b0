import { appConfigFrom } from "./config/derive";
import { settingProblems } from "./config/problems";
import { configSchema } from "./config/schema";
import type { AppConfig } from "./config/types";

export type { Env } from "./config/schema";
export type { AppConfig, StripeConfig, TwilioConfig } from "./config/types";

/*
 * The server's one config module: this file and its sections in config/ (the variables by section,
 * the checks across them, the shape the server uses). Only loadConfig reads the environment.
 */

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** The only reader of the environment. Every problem names its variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      // The variable's name, not a path into its parsed value (OPERATOR_EMAILS, not OPERATOR_EMAILS.1).
      parsed.error.issues.map((issue) => `${String(issue.path[0] ?? "environment")}: ${issue.message}`),
    );
  }
  const problems = settingProblems(parsed.data);
  if (problems.length) throw new ConfigError(problems);
  return appConfigFrom(parsed.data);
}
