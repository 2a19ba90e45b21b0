/**
 * The layer boundaries `npm run lint` enforces (biome.json's noRestrictedImports and noProcessEnv,
 * and the GritQL plugins in biome-plugins/) still fire. A rule can stop working without a sound: a
 * plugin's regex stops matching, an `includes` glob no longer names the folder, a plugin is dropped
 * from biome.json. So each rule is broken once here, in a small file at a path where it applies,
 * and biome must report it; beside each break, a file that keeps the rule must pass clean.
 *
 * The files are written to a scratch copy of the lint setup (biome.json and biome-plugins/, copied
 * as they are), not into the repository, so a typecheck or a lint running at the same time never
 * sees them.
 */
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const biome = join(root, "node_modules/.bin/biome");

type Probe = {
  /** What the probe shows. */
  rule: string;
  /** Where it is written: a path the rule covers. */
  path: string;
  code: string;
  /** The diagnostic biome must give (its category, and part of its message); none for a clean file. */
  expect: { category: string; message: string } | null;
};

const plugin = (message: string) => ({ category: "plugin", message });
const restricted = (message: string) => ({ category: "lint/style/noRestrictedImports", message });

const probes: Probe[] = [
  {
    rule: "domain/** is browser-safe: no node:* module",
    path: "packages/core/src/domain/probe-node.ts",
    code: 'import { isIP } from "node:net";\n\nexport const probe = isIP("192.0.2.1");\n',
    expect: plugin("domain/** is browser-safe"),
  },
  {
    rule: "domain/** is browser-safe: no database at run time",
    path: "packages/core/src/domain/probe-db.ts",
    code: 'import { buttons } from "@cac/db";\n\nexport const probe = buttons;\n',
    expect: plugin("domain/** is browser-safe"),
  },
  {
    rule: "domain/** is browser-safe: its own files, zod, and types from anywhere",
    path: "packages/core/src/domain/probe-clean.ts",
    code: 'import type { Button } from "@cac/db";\nimport { z } from "zod";\nimport { text } from "./validation";\n\nexport const probe = z.object({ name: text() });\nexport type Probe = Button;\n',
    expect: null,
  },
  {
    rule: "routers never import drizzle",
    path: "packages/trpc/src/routers/probe/drizzle.ts",
    code: 'import { eq } from "drizzle-orm";\n\nexport const probe = eq;\n',
    expect: plugin("Routers never touch the database"),
  },
  {
    rule: "routers never import the database schema",
    path: "packages/trpc/src/routers/probe/schema.ts",
    code: 'import { buttons } from "@cac/db";\n\nexport const probe = buttons;\n',
    expect: plugin("Routers never touch the database"),
  },
  {
    rule: "routers call services",
    path: "packages/trpc/src/routers/probe/clean.ts",
    code: 'import { listButtons } from "@cac/core";\n\nexport const probe = listButtons;\n',
    expect: null,
  },
  {
    rule: "only the config module reads process.env",
    path: "apps/server/src/probe-env.ts",
    code: "export const probe = process.env.PORT;\n",
    expect: { category: "lint/style/noProcessEnv", message: "process.env" },
  },
  {
    rule: "only the config module reads process.env: destructured",
    path: "packages/core/src/services/probe-env.ts",
    code: "const { env } = process;\n\nexport const probe = env.PORT;\n",
    expect: plugin("Only apps/server/src/config.ts reads the environment"),
  },
  {
    rule: "the config module reads process.env",
    path: "apps/server/src/config.ts",
    code: "export const probe = process.env.PORT;\n",
    expect: null,
  },
  {
    rule: "no deep import into a package by name",
    path: "apps/server/src/probe-deep.ts",
    code: 'import { listButtons } from "@cac/core/services/buttons";\n\nexport const probe = listButtons;\n',
    expect: plugin("No deep imports into @cac/* packages"),
  },
  {
    rule: "no deep import into a package by a relative path",
    path: "apps/server/src/probe-relative.ts",
    code: 'import { listButtons } from "../../../packages/core/src/services/buttons";\n\nexport const probe = listButtons;\n',
    expect: plugin("Import a workspace package by its name"),
  },
  {
    rule: "a package's declared entry points",
    path: "apps/server/src/probe-entry.ts",
    code: 'import { listButtons } from "@cac/core";\nimport { ipKey } from "@cac/core/domain";\n\nexport const probe = [listButtons, ipKey];\n',
    expect: null,
  },
  {
    rule: "no app reaches into another app's files",
    path: "apps/web/src/probe-apps.ts",
    code: 'import { loadConfig } from "../../server/src/config";\n\nexport const probe = loadConfig;\n',
    expect: plugin("Do not import another app's files by a relative path"),
  },
  {
    rule: "no package imports an app",
    path: "packages/trpc/src/probe-apps.ts",
    code: 'import { buildApp } from "@cac/server";\n\nexport const probe = buildApp;\n',
    expect: restricted("packages/* never import apps/*"),
  },
  {
    rule: "packages/core sits below the API",
    path: "packages/core/src/services/probe-api.ts",
    code: 'import { appRouter } from "@cac/trpc";\n\nexport const probe = appRouter;\n',
    expect: restricted("packages/core holds the rules and services, below the API"),
  },
  {
    rule: "packages/db is the bottom layer",
    path: "packages/db/src/probe-core.ts",
    code: 'import { listButtons } from "@cac/core";\n\nexport const probe = listButtons;\n',
    expect: restricted("packages/db is the bottom layer"),
  },
  {
    rule: "the widget imports only types from @cac/trpc",
    path: "apps/widget/src/probe-trpc.ts",
    code: 'import { appRouter } from "@cac/trpc";\n\nexport const probe = appRouter;\n',
    expect: plugin("apps/widget may import only types from @cac/trpc"),
  },
  {
    rule: "the widget imports no rules from @cac/core",
    path: "apps/widget/src/probe-core.ts",
    code: 'import { ipKey } from "@cac/core/domain";\n\nexport const probe = ipKey;\n',
    expect: restricted("The widget runs on customers' sites"),
  },
  {
    rule: "the widget's types from @cac/trpc",
    path: "apps/widget/src/probe-clean.ts",
    code: 'import type { RouterOutputs } from "@cac/trpc";\n\nexport type Probe = RouterOutputs["calls"]["start"];\n',
    expect: null,
  },
  {
    rule: "the portal imports only types from @cac/trpc",
    path: "apps/web/src/probe-trpc.ts",
    code: 'import { appRouter } from "@cac/trpc";\n\nexport const probe = appRouter;\n',
    expect: plugin("The portal imports only types from @cac/trpc"),
  },
  {
    rule: "the portal never imports the core's server code",
    path: "apps/web/src/probe-core.ts",
    code: 'import { listButtons } from "@cac/core";\n\nexport const probe = listButtons;\n',
    expect: restricted("@cac/core is server code"),
  },
  {
    rule: "the portal never imports the database",
    path: "apps/web/src/probe-db.ts",
    code: 'import { buttons } from "@cac/db";\n\nexport const probe = buttons;\n',
    expect: restricted("The portal is browser code"),
  },
  {
    rule: "the portal runs the browser-safe rules and takes the API's types",
    path: "apps/web/src/probe-clean.ts",
    code: 'import { ipKey } from "@cac/core/domain";\nimport type { RouterOutputs } from "@cac/trpc";\n\nexport const probe = ipKey;\nexport type Probe = RouterOutputs["buttons"]["get"];\n',
    expect: null,
  },
];

type Diagnostic = { category: string; message: string; severity: string; location: { path: string } };

let scratch: string;
let diagnostics: Diagnostic[];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "cac-lint-"));
  await cp(join(root, "biome.json"), join(scratch, "biome.json"));
  await cp(join(root, "biome-plugins"), join(scratch, "biome-plugins"), { recursive: true });
  for (const probe of probes) {
    await mkdir(dirname(join(scratch, probe.path)), { recursive: true });
    await writeFile(join(scratch, probe.path), probe.code);
  }
  // One run over every probe. The scratch copy is no git checkout, so biome reads no ignore file.
  const { stdout } = await promisify(execFile)(
    biome,
    [
      "lint",
      "--vcs-enabled=false",
      "--reporter=json",
      "--max-diagnostics=none",
      ...probes.map((p) => p.path),
    ],
    { cwd: scratch },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  diagnostics = (JSON.parse(stdout) as { diagnostics: Diagnostic[] }).diagnostics;
}, 60_000);

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("npm run lint enforces the boundaries", () => {
  it("read biome's report", () => {
    expect(Array.isArray(diagnostics)).toBe(true);
  });

  it.each(probes.filter((p) => p.expect))("$rule ($path)", ({ path, expect: wanted }) => {
    const found = diagnostics.filter((d) => d.location.path === path && d.severity === "error");
    expect(
      found.map((d) => ({ category: d.category, message: d.message })),
      `biome's errors for ${path}`,
    ).toContainEqual({ category: wanted!.category, message: expect.stringContaining(wanted!.message) });
  });

  it.each(probes.filter((p) => !p.expect))("clean: $rule ($path)", ({ path }) => {
    const found = diagnostics.filter((d) => d.location.path === path);
    expect(found.map((d) => `${d.category}: ${d.message}`)).toEqual([]);
  });
});
