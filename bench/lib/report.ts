import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
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
  /** The benchmark of the same run this one is a variant of (see StartedTarget.relativeTo). */
  relativeTo?: string;
};

const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));

export function printTable(rows: Row[]) {
  const header = ["benchmark", "req/s", "p50 ms", "p99 ms", "vs bare", "cpu ms/req", "unexpected", "errors"];
  const lines = rows.map((row) => [
    row.name,
    row.result.requestsPerSecond.toFixed(0),
    row.result.latencyMs.p50.toFixed(1),
    row.result.latencyMs.p99.toFixed(1),
    row.ratioToBaseline === null ? "-" : `${(row.ratioToBaseline * 100).toFixed(1)}%`,
    row.result.cpuMsPerRequest === null ? "-" : row.result.cpuMsPerRequest.toFixed(3),
    String(row.result.unexpected),
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

/** Each variant's figures as ratios to those of the benchmark it is a variant of, in this run. */
export function printRelative(rows: Row[]) {
  const lines: string[] = [];
  for (const row of rows) {
    const base = row.relativeTo ? rows.find((other) => other.name === row.relativeTo) : undefined;
    if (!base || base === row) continue;
    const ratio = (a: number | null, b: number | null) => (a !== null && b ? `${(a / b).toFixed(2)}x` : "-");
    lines.push(
      `${row.name} vs ${base.name}: p50 ${ratio(row.result.latencyMs.p50, base.result.latencyMs.p50)}, ` +
        `p99 ${ratio(row.result.latencyMs.p99, base.result.latencyMs.p99)}, ` +
        `cpu/req ${ratio(row.result.cpuMsPerRequest, base.result.cpuMsPerRequest)}, ` +
        `req/s ${ratio(row.result.requestsPerSecond, base.result.requestsPerSecond)}`,
    );
  }
  if (lines.length) console.log(`\n${lines.join("\n")}`);
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
    `${JSON.stringify({ startedAt, commit: gitCommit(), machine, loadavg: loadavg(), load, rows }, null, 2)}\n`,
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
