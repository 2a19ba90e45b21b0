export type { Db, DbConfig, DbHandle, Schema } from "./client";
export { createDb, migrationsFolder } from "./client";
export * from "./schema/index";
