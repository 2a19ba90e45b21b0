import { type Db, publicConfigs } from "@cac/db";
import { eq, inArray, sql } from "drizzle-orm";
import type { SharedConfigStore } from "./public-config-cache";

/** Changes per statement (a bulk edit may change thousands of buttons at once). */
const CHUNK = 500;

/**
 * Public configs in PostgreSQL (the `public_configs` table), for a deployment without Redis: one
 * indexed read instead of the button's lookup and the open windows' computing.
 */
export function createPostgresConfigStore(db: Db): SharedConfigStore {
  // Built once: every request for a config this instance does not hold runs it.
  const readOne = db
    .select({
      version: publicConfigs.version,
      hour: publicConfigs.hour,
      context: publicConfigs.context,
      allowedDomains: publicConfigs.allowedDomains,
      etag: publicConfigs.etag,
      json: publicConfigs.body,
    })
    .from(publicConfigs)
    .where(eq(publicConfigs.publicId, sql.placeholder("publicId")))
    .prepare("public_config_read");
  return {
    mode: "postgres",
    async read(publicId) {
      const [row] = await readOne.execute({ publicId });
      return row;
    },
    async write(publicId, entry) {
      const { json, ...fields } = entry;
      const values = { ...fields, body: json, storedAt: new Date() };
      await db
        .insert(publicConfigs)
        .values({ publicId, ...values })
        .onConflictDoUpdate({ target: publicConfigs.publicId, set: values });
    },
    async remove(publicIds) {
      await db.delete(publicConfigs).where(inArray(publicConfigs.publicId, publicIds));
    },
    async removeOtherVersions(changes) {
      for (let start = 0; start < changes.length; start += CHUNK) {
        const pairs = sql.join(
          changes
            .slice(start, start + CHUNK)
            .map((change) => sql`(${change.publicId}, ${change.version}::bigint)`),
          sql`, `,
        );
        await db.execute(
          sql`delete from ${publicConfigs} using (values ${pairs}) as changed(public_id, version)
              where ${publicConfigs.publicId} = changed.public_id and ${publicConfigs.version} <> changed.version`,
        );
      }
    },
    async close() {},
  };
}
