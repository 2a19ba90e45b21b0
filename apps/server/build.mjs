// Builds the server for `npm start`: the workspace's TypeScript (apps/server, @cac/trpc, @cac/core, @cac/db)
// bundled into dist/ as plain ES modules, third-party packages left to node_modules. Running
// plain JS spares production the TypeScript loader (about 30 MB of memory and a thread).
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Every bare import outside the workspace stays an import of node_modules. */
const externalPackages = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@cac/") ? undefined : { path: args.path, external: true },
    );
  },
};

/** `outdir` beside src/ (default dist); tests that start the bundle build one of their own. */
export async function buildServer(outdir = "dist") {
  await build({
    absWorkingDir: root,
    entryPoints: ["src/main.ts", "src/jobs-cli.ts"],
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: true,
    // Chunks (lazily loaded adapters, code shared by the entries) sit beside the entries: modules
    // that find files relative to import.meta.url need the same depth as src/.
    chunkNames: "[name]-[hash]",
    plugins: [externalPackages],
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--outdir");
  await buildServer(at > 0 ? process.argv[at + 1] : undefined);
}
