import { expect } from "vitest";
import { ConfigError, loadConfig } from "../src/config";

/** The problems loadConfig names for an environment it must refuse. */
export function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}
