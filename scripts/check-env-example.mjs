// Fails when .env.example and the server's config module disagree: every variable that
// apps/server/src/config.ts reads must be documented in .env.example, and nothing else.
// Run by `npm run lint`.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const read = (path) => readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), "utf8");

const configSource = read("apps/server/src/config.ts");
const schemaStart = configSource.indexOf("const configSchema = z.object({");
if (schemaStart < 0) {
  console.error("check-env-example: configSchema not found in apps/server/src/config.ts");
  process.exit(1);
}
// The schema's own keys sit at two spaces of indentation inside `z.object({ ... })`.
const schemaBody = configSource.slice(schemaStart, configSource.indexOf("\n});", schemaStart));
const configKeys = new Set([...schemaBody.matchAll(/^ {2}([A-Z][A-Z0-9_]*)\s*:/gm)].map((m) => m[1]));

const exampleKeys = new Set(
  [...read(".env.example").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]),
);

const missing = [...configKeys].filter((key) => !exampleKeys.has(key));
const extra = [...exampleKeys].filter((key) => !configKeys.has(key));
if (missing.length || extra.length) {
  if (missing.length)
    console.error(`.env.example lacks: ${missing.join(", ")} (read by apps/server/src/config.ts)`);
  if (extra.length) console.error(`.env.example documents unknown variables: ${extra.join(", ")}`);
  process.exit(1);
}
console.log(`.env.example documents all ${configKeys.size} settings of apps/server/src/config.ts.`);
