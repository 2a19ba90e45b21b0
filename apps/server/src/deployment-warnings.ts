import type { AppConfig } from "./config";

/**
 * Settings that work for one instance but break a deployment of several, which the server
 * cannot see directly (instances do not know about each other). REDIS_URL is the sign: one
 * instance needs no Redis (its limiter and pubsub stay in the process), so a server given one
 * is meant to run next to others.
 */
export function deploymentWarnings(
  config: Pick<AppConfig, "redisUrl" | "s3" | "databaseUrl" | "dataDir">,
): string[] {
  if (!config.redisUrl) return [];
  const warnings: string[] = [];
  if (!config.databaseUrl) {
    warnings.push(
      `REDIS_URL is set, so this server may be one of several instances, but its database is the embedded one in ${config.dataDir}/pg: each instance would keep accounts and calls of its own. Set DATABASE_URL to one PostgreSQL shared by every instance.`,
    );
  }
  if (!config.s3) {
    warnings.push(
      `REDIS_URL is set, so this server may be one of several instances, but logos are stored on this instance's disk (${config.dataDir}/uploads): a logo uploaded through one instance is missing on the others. Set S3_BUCKET (and its S3_* settings) to store logos in S3-compatible storage.`,
    );
  }
  return warnings;
}
