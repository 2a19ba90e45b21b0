import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "./harness";

/** Debian's nginx package. */
export const NGINX = "/usr/sbin/nginx";

export type NginxProcess = {
  /** The port nginx listens on (127.0.0.1). */
  port: number;
  child: ChildProcess;
  /** nginx's error log and its stderr. */
  log(): string;
  /**
   * Serves `site` instead (nginx reloads its configuration on SIGHUP: new connections go to new
   * workers with it; the old workers finish what they carry, live streams included).
   */
  reload(site: string): Promise<void>;
  /** Stops nginx gracefully (SIGQUIT) and waits for it to exit. */
  stop(): Promise<void>;
};

/** Sends `signal` to a child process that is still running and waits until it has exited. */
export async function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

/**
 * nginx in the foreground (not as a daemon) with a prefix of its own in `dir`, serving the site
 * `site(port)` on a free port of 127.0.0.1. It is up once `ready(port)` holds; a port taken
 * meanwhile is retried with another.
 */
export async function startNginx(
  dir: string,
  site: (port: number) => string,
  ready: (port: number) => Promise<boolean>,
): Promise<NginxProcess> {
  writeFileSync(
    join(dir, "nginx.conf"),
    [
      "daemon off;",
      "worker_processes 1;",
      // Run as root (CI), the workers would switch to nobody, who cannot use this directory.
      process.getuid?.() === 0 ? "user root;" : "",
      `pid ${dir}/nginx.pid;`,
      // notice: the reloads show in it.
      `error_log ${dir}/error.log notice;`,
      "events { worker_connections 1024; }",
      "http {",
      "  access_log off;",
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${dir}/${t};`),
      `  include ${dir}/site.conf;`,
      "}",
    ].join("\n"),
  );
  const errorLog = () => {
    try {
      return readFileSync(join(dir, "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    writeFileSync(join(dir, "site.conf"), site(port));
    let stderr = "";
    const child = spawn(NGINX, ["-p", dir, "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    const deadline = Date.now() + 20_000;
    let up = false;
    while (!up && child.exitCode === null && Date.now() < deadline) {
      up = await ready(port).catch(() => false);
      if (!up) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const log = () => `${stderr}${errorLog()}`;
    if (up) {
      const reload = async (text: string) => {
        const seen = errorLog().length;
        writeFileSync(join(dir, "site.conf"), text);
        child.kill("SIGHUP");
        // The master logs that it is reconfiguring, then starts the new workers.
        const deadline = Date.now() + 10_000;
        while (!/reconfiguring[\s\S]*start worker process/.test(errorLog().slice(seen))) {
          if (Date.now() > deadline) throw new Error(`nginx did not reload:\n${log()}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      return { port, child, log, reload, stop: () => stopChild(child, "SIGQUIT") };
    }
    await stopChild(child, "SIGQUIT");
    if (!/Address already in use/.test(log()) || attempt >= 3)
      throw new Error(`nginx did not start:\n${log()}`);
  }
}

/** Applies `edits` to `source` (a documented config), failing when one no longer matches. */
export function editConfig(name: string, source: string, edits: Array<[RegExp, string]>): string {
  let text = source;
  for (const [pattern, replacement] of edits) {
    if (!pattern.test(text)) throw new Error(`${name} changed: ${pattern} no longer matches`);
    text = text.replace(pattern, replacement);
  }
  return text;
}
