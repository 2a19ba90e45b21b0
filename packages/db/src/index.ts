export { createDb, migrationsFolder } from "./client";
export type { Db, DbConfig, DbHandle, Schema } from "./client";
export * from "./schema/index";
