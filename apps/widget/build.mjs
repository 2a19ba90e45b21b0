// Bundles the widget for third-party sites:
//   src/loader.ts  -> dist/widget.js       classic script (IIFE), budget 3 KB gzipped
//   src/call-ui.ts -> dist/widget-call.js  ES module loaded by the loader, budget 15 KB gzipped
//   src/i18n/<code>.ts -> dist/widget-<code>.js  ES module per language: its string table and the closed
//                     line written in it, loaded by the loader when a closed button or the dialog needs words
//   src/twilio.ts  -> dist/widget-twilio.js  ES module with the Twilio Voice SDK, imported by the call
//                     chunk only for a Twilio call (no budget: the SDK alone is about 50 KB gzipped)
// `node build.mjs` writes dist/; the size test imports buildWidget() and checks the budgets.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
export const distDir = join(root, "dist");

export const budgets = { "widget.js": 3072, "widget-call.js": 15360 };

/**
 * The languages the widget speaks: one string table per file in src/i18n named by its code
 * (`en.ts`, `es.ts`, …). A new table is a new language: it gets its chunk, and the loader learns its
 * code through `__WIDGET_LANGUAGES__` (the tests get the same define from vitest.config.ts).
 */
export function widgetLanguages() {
  return readdirSync(join(root, "src/i18n"))
    .map((file) => /^([a-z]{2,3})\.ts$/.exec(file)?.[1])
    .filter(Boolean)
    .sort();
}

/** What the bundles are built with (and the tests run with). */
export const widgetDefines = () => ({ __WIDGET_LANGUAGES__: JSON.stringify(widgetLanguages()) });

const common = {
  bundle: true,
  define: widgetDefines(),
  platform: "browser",
  // Browsers from 2021 on (ES2021); the loader keeps a native import() of the call chunk.
  target: ["es2021", "chrome91", "firefox90", "safari15"],
  minify: true,
  legalComments: "none",
  charset: "utf8",
  write: false,
  logLevel: "warning",
};

/** Bundle names, in the order buildWidget() returns them. */
export const names = [
  "widget.js",
  "widget-call.js",
  "widget-twilio.js",
  ...widgetLanguages().map((code) => `widget-${code}.js`),
];

/**
 * Builds the bundles in memory. Returns `{ name, code, gzip }` per file, where `gzip` is the
 * zlib level-9 size in bytes. With `write`, also writes them to dist/.
 */
export async function buildWidget({ write = false } = {}) {
  const outputs = await Promise.all([
    // Classic <script async> on customers' pages: no module scope, nothing leaks into window
    // except the ClickAndCall queue function.
    build({ ...common, entryPoints: [join(root, "src/loader.ts")], format: "iife", outfile: "widget.js" }),
    build({
      ...common,
      entryPoints: [join(root, "src/call-ui.ts")],
      format: "esm",
      outfile: "widget-call.js",
    }),
    build({
      ...common,
      entryPoints: [join(root, "src/twilio.ts")],
      format: "esm",
      outfile: "widget-twilio.js",
      // The SDK's dependencies (events, loglevel) expect Node's `global`.
      define: { ...common.define, global: "globalThis" },
    }),
    ...widgetLanguages().map((code) =>
      build({
        ...common,
        // The chunk's whole surface (types.ts `Words`): the table and the closed line in its words.
        stdin: {
          contents: `import t from "./${code}.ts"; import { closedText } from "../hours.ts";
            export { t }; export const closed = (next, now) => closedText(next, now, t);`,
          resolveDir: join(root, "src/i18n"),
          sourcefile: `widget-${code}.ts`,
          loader: "ts",
        },
        format: "esm",
        outfile: `widget-${code}.js`,
      }),
    ),
  ]);
  const files = outputs.map((result, i) => {
    const name = names[i];
    const code = result.outputFiles[0].contents;
    return { name, code, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length };
  });
  if (write) {
    mkdirSync(distDir, { recursive: true });
    for (const file of files) writeFileSync(join(distDir, file.name), file.code);
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildWidget({ write: true });
  let over = false;
  for (const { name, bytes, gzip } of files) {
    const budget = budgets[name];
    over ||= budget !== undefined && gzip > budget;
    console.log(
      `@cac/widget: dist/${name} ${bytes} B, ${gzip} B gzip (${budget ? `budget ${budget} B` : name === "widget-twilio.js" ? "no budget: Twilio calls only" : "language chunk"})`,
    );
  }
  if (over) {
    console.error("@cac/widget: a bundle is over its gzip budget.");
    process.exit(1);
  }
}
