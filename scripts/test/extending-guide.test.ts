/**
 * docs/extending.md stays true: its worked example (account preferences, from the service to the
 * access-control row) is applied to a scratch copy of the repository and must typecheck.
 *
 * The code comes from the guide itself: each block to apply is the fenced block that follows a
 * marker in the markdown source,
 *   <!-- guide: create <path> -->                 the block is a new file
 *   <!-- guide: append <path> -->                 the block goes at the end of an existing file
 *   <!-- guide: insert <path> after "<line>" -->  the block's lines go after that line of the file
 * so the guide and this check cannot drift apart. In every action, the block's `import` lines go
 * to the top of the file; the comment opening a block, which names the file, is not code. For
 * `insert`, a block that repeats the anchor line contributes only the lines between it and the
 * first `// ...` placeholder, and lines the file has already are skipped.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
const guide = join(root, "docs/extending.md");

/** What the example touches, typechecked after it is applied (each tsconfig includes its tests). */
const projects = ["packages/core", "packages/trpc", "apps/server", "apps/web"];

type Step =
  | { action: "create"; path: string; code: string }
  | { action: "append"; path: string; code: string }
  | { action: "insert"; path: string; anchor: string; code: string };

/** The marked blocks of the guide, in order. */
function guideSteps(markdown: string): Step[] {
  const marker =
    /<!-- guide: (create|append|insert) (\S+)(?: after "(.+?)")? -->\s*\n```[a-z]*\n([\s\S]*?)\n```/g;
  return [...markdown.matchAll(marker)].map(([, action, path, anchor, code]) =>
    action === "insert"
      ? { action, path: path!, anchor: anchor!, code: code! }
      : { action: action as "create" | "append", path: path!, code: code! },
  );
}

/** A block's code, without the comment naming the file (which may run over a few lines). */
function codeOf(step: Step): string[] {
  const lines = step.code.split("\n");
  if (lines[0]?.startsWith(`// ${step.path}`)) {
    while (lines[0]?.startsWith("//")) lines.shift();
  }
  return lines;
}

/** Hoists `import` statements (one line or several) out of a block. */
function splitImports(lines: string[]): { imports: string[]; rest: string[] } {
  const imports: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.startsWith("import ")) {
      rest.push(line);
      continue;
    }
    let statement = line;
    while (
      !/from\s+["'][^"']+["'];\s*$/.test(statement) &&
      !/^import\s+["'][^"']+["'];\s*$/.test(statement)
    ) {
      statement += `\n${lines[++i]}`;
    }
    imports.push(statement);
  }
  return { imports, rest };
}

/** The file's text with the step applied. */
function applyStep(step: Step, current: string | undefined): string {
  const { imports, rest } = splitImports(codeOf(step));
  if (step.action === "create") {
    if (current !== undefined) throw new Error(`${step.path} exists already: the guide creates it`);
    return [...imports, ...rest].join("\n").replace(/^\n+/, "");
  }
  if (current === undefined) throw new Error(`${step.path} does not exist: the guide changes it`);
  const withImports = imports.length ? `${imports.join("\n")}\n${current}` : current;
  if (step.action === "append") return `${withImports.trimEnd()}\n\n${rest.join("\n").trim()}\n`;
  const anchor = step.anchor;
  const fileLines = withImports.split("\n");
  const at = fileLines.findIndex((line) => line.trim() === anchor.trim());
  if (at < 0) throw new Error(`${step.path} has no line "${anchor}" to insert after`);
  const inBlock = rest.findIndex((line) => line.trim() === anchor.trim());
  let added = rest.filter((line) => line.trim() !== "");
  if (inBlock >= 0) {
    // The block shows the anchor in context: its new lines are those up to the placeholder.
    const after = rest.slice(inBlock + 1);
    const placeholder = after.findIndex((line) => line.trim().startsWith("// ..."));
    const existing = new Set(fileLines.map((line) => line.trim()));
    added = (placeholder >= 0 ? after.slice(0, placeholder) : after).filter(
      (line) => line.trim() !== "" && !existing.has(line.trim()),
    );
  }
  fileLines.splice(at + 1, 0, ...added);
  return fileLines.join("\n");
}

/**
 * A scratch copy of the repository's files (tracked and new ones), with a node_modules of links
 * to the real one's packages; the workspace links (@cac/*) point into the copy, so the copy's
 * sources are the ones compiled.
 */
async function scratchCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cac-guide-"));
  const { stdout } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const file of stdout.split("\0").filter(Boolean)) {
    const from = join(root, file);
    if (!existsSync(from)) continue; // deleted in the working tree
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), await readFile(from));
  }
  await mkdir(join(dir, "node_modules/@cac"), { recursive: true });
  for (const entry of await readdir(join(root, "node_modules"))) {
    if (entry === "@cac") continue;
    await symlink(join(root, "node_modules", entry), join(dir, "node_modules", entry));
  }
  for (const entry of await readdir(join(root, "node_modules/@cac"))) {
    // Relative links (../../packages/core): inside the copy they name the copy's packages.
    await symlink(
      await readlink(join(root, "node_modules/@cac", entry)),
      join(dir, "node_modules/@cac", entry),
    );
  }
  for (const group of ["apps", "packages"]) {
    for (const workspace of await readdir(join(root, group))) {
      const own = join(root, group, workspace, "node_modules");
      if (existsSync(own)) await symlink(own, join(dir, group, workspace, "node_modules"));
    }
  }
  return dir;
}

async function typecheck(dir: string, project: string): Promise<string> {
  const tsc = join(root, "node_modules/.bin/tsc");
  return run(tsc, ["-p", join(dir, project, "tsconfig.json"), "--noEmit"], { cwd: dir }).then(
    () => "",
    (error: { stdout?: string; stderr?: string }) =>
      `${error.stdout ?? ""}${error.stderr ?? ""}` || "tsc failed",
  );
}

describe("docs/extending.md: the worked example compiles", () => {
  let steps: Step[];
  let scratch: string;
  beforeAll(async () => {
    steps = guideSteps(await readFile(guide, "utf8"));
    scratch = await scratchCopy();
  }, 120_000);
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("marks the example's blocks, from the service to the access-control rows", () => {
    expect(steps.map((s) => `${s.action} ${s.path}`)).toEqual([
      "append packages/core/src/services/account.ts",
      "append packages/trpc/src/routers/account/account.schema.ts",
      "create packages/trpc/src/routers/account/preferences.ts",
      "insert packages/trpc/src/routers/account/router.ts",
      "create apps/web/src/components/PreferencesCard.tsx",
      "create apps/server/test/preferences.test.ts",
      "create packages/core/test/preferences.test.ts",
      "insert apps/server/test/access-control.test.ts",
      "insert apps/server/test/access-control-roles.test.ts",
    ]);
  });

  it("before the example, the copy typechecks, and a procedure without its access-control row does not", async () => {
    // The copy itself is sound: the failures below are the example's.
    expect(await typecheck(scratch, "apps/server")).toBe("");
    for (const step of steps.filter((s) => !s.path.startsWith("apps/server/test/access-control"))) {
      const file = join(scratch, step.path);
      const current = existsSync(file) ? await readFile(file, "utf8") : undefined;
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, applyStep(step, current));
    }
    // The new procedures have no row yet: the Record<ProcedurePath, Case> says so.
    const missingRow = await typecheck(scratch, "apps/server");
    expect(missingRow).toMatch(/access-control\.test\.ts.*"account\.preferences"/);
  }, 300_000);

  it("with every block applied, core, trpc, the server and its tests, and the portal typecheck", async () => {
    // The access-control rows: the cross-account table's and the per-role table's.
    for (const step of steps.filter((s) => s.path.startsWith("apps/server/test/access-control"))) {
      const file = join(scratch, step.path);
      await writeFile(file, applyStep(step, await readFile(file, "utf8")));
    }
    const failures: Record<string, string> = {};
    for (const project of projects) {
      const output = await typecheck(scratch, project);
      if (output) failures[project] = output;
    }
    expect(failures).toEqual({});
  }, 600_000);
});
