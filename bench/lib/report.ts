import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LoadOptions, Measurement } from "./measure";

export type Row = {
  name: string;
  description: string;
  notes: Record<string, string>;
  result: Measurement;
  /** requests/sec of this target divided by the bare baseline's, measured in the same run. */
  ratioToBaseline: number | null;
};

const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));

export function printTable(rows: Row[]) {
  const header = ["benchmark", "req/s", "p50 ms", "p99 ms", "vs bare", "cpu ms/req", "non-2xx", "errors"];
  const lines = rows.map((row) => [
    row.name,
    row.result.requestsPerSecond.toFixed(0),
    row.result.latencyMs.p50.toFixed(1),
    row.result.latencyMs.p99.toFixed(1),
    row.ratioToBaseline === null ? "-" : `${(row.ratioToBaseline * 100).toFixed(1)}%`,
    row.result.cpuMsPerRequest === null ? "-" : row.result.cpuMsPerRequest.toFixed(3),
    String(row.result.non2xx),
    String(row.result.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join("  ");
  console.log(format(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(format(line));
}

export function writeJson(rows: Row[], load: LoadOptions): string {
  mkdirSync(resultsDir, { recursive: true });
  const startedAt = new Date().toISOString();
  const file = join(resultsDir, `bench-${startedAt.replace(/[:.]/g, "-")}.json`);
  const machine = {
    node: process.version,
    platform: process.platform,
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
  };
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt, commit: gitCommit(), machine, load, rows }, null, 2)}\n`,
  );
  return file;
}

function gitCommit(): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { encoding: "utf8" }).trim() !== "";
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return null;
  }
}
