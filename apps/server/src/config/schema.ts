import { z } from "zod";
import { callsEnv } from "./env-calls";
import { integrationsEnv } from "./env-integrations";
import { serverEnv } from "./env-server";

/**
 * Every environment variable the server reads, by section. scripts/check-env-example.mjs reads
 * the sections' keys to check that .env.example documents each one.
 */
export const configSchema = z.object({ ...serverEnv, ...callsEnv, ...integrationsEnv });

/** The environment as it may be given (strings). */
export type Env = z.input<typeof configSchema>;
/** The environment once each variable is checked and converted. */
export type ParsedEnv = z.output<typeof configSchema>;
