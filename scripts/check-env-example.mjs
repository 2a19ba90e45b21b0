// Fails when .env.example and the server's config module disagree: every variable that the config
// module (apps/server/src/config.ts, its sections in apps/server/src/config/) reads must be
// documented in .env.example, and nothing else. Run by `npm run lint`.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const read = (path) => readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), "utf8");
const fail = (message) => {
  console.error(`check-env-example: ${message}`);
  process.exit(1);
};

const configDir = "apps/server/src/config";
const schemaSource = read(`${configDir}/schema.ts`);
const schemaLine = schemaSource.match(/export const configSchema = z\.object\(\{([^}]*)\}\)/);
if (!schemaLine) fail(`configSchema = z.object({ ...sections }) not found in ${configDir}/schema.ts`);
const used = [...schemaLine[1].matchAll(/\.\.\.(\w+)/g)].map((m) => m[1]);

// Each section is `export const <name>Env = { ... };` with its keys at two spaces of indentation.
const sections = new Map();
for (const file of readdirSync(fileURLToPath(new URL(`../${configDir}`, import.meta.url)))) {
  if (!file.endsWith(".ts")) continue;
  const source = read(`${configDir}/${file}`);
  for (const match of source.matchAll(/^export const (\w+Env) = \{\n([\s\S]*?)\n\};$/gm)) {
    sections.set(
      match[1],
      [...match[2].matchAll(/^ {2}([A-Z][A-Z0-9_]*)\s*:/gm)].map((m) => m[1]),
    );
  }
}
const unknown = used.filter((name) => !sections.has(name));
if (unknown.length) fail(`configSchema spreads ${unknown.join(", ")}, not found as sections in ${configDir}`);
const unused = [...sections.keys()].filter((name) => !used.includes(name));
if (unused.length) fail(`sections ${unused.join(", ")} in ${configDir} are not in configSchema`);
const configKeys = new Set(used.flatMap((name) => sections.get(name)));
if (configKeys.size === 0) fail(`no settings found in ${configDir}`);

const exampleKeys = new Set(
  [...read(".env.example").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]),
);

const missing = [...configKeys].filter((key) => !exampleKeys.has(key));
const extra = [...exampleKeys].filter((key) => !configKeys.has(key));
if (missing.length || extra.length) {
  if (missing.length) console.error(`.env.example lacks: ${missing.join(", ")} (read by the config module)`);
  if (extra.length) console.error(`.env.example documents unknown variables: ${extra.join(", ")}`);
  process.exit(1);
}
console.log(`.env.example documents all ${configKeys.size} settings of the config module (${configDir}).`);
