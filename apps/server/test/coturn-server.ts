import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./harness";
import { TurnClient } from "./turn-client";

/**
 * A real coturn (Debian's /usr/bin/turnserver) of the test's own, on loopback: docs/turnserver.conf
 * with the test's port, address, realm and secret, no TLS, and loopback peers allowed (both
 * browsers' relays are on 127.0.0.1, which the documented config denies as a peer). It runs as the
 * current user, with its config, pid file, log and database in a temporary directory.
 */

export const TURNSERVER = "/usr/bin/turnserver";
const documented = fileURLToPath(new URL("../../../docs/turnserver.conf", import.meta.url));

export type LocalCoturn = {
  /** The TURN_URLS for it (UDP and TCP on one port). */
  urls: string[];
  host: string;
  port: number;
  realm: string;
  /** Its static-auth-secret: the server's TURN_SECRET. */
  secret: string;
  /** What coturn logged so far (its verbose log names each session's user and result). */
  log(): string;
  stop(): Promise<void>;
};

function testConfig(port: number, secret: string, realm: string, dir: string): string {
  const edits: Array<[RegExp, string]> = [
    [/^listening-port=3478$/m, `listening-port=${port}`],
    [/^tls-listening-port=.*\n/m, ""],
    [/^cert=.*\n/m, ""],
    [/^pkey=.*\n/m, ""],
    [/^listening-ip=.*$/m, "listening-ip=127.0.0.1"],
    [/^relay-ip=.*$/m, "relay-ip=127.0.0.1"],
    [/^external-ip=.*\n/m, ""],
    [/^static-auth-secret=.*$/m, `static-auth-secret=${secret}`],
    [/^realm=.*$/m, `realm=${realm}`],
    [/^log-file=.*$/m, `log-file=${join(dir, "turnserver.log")}`],
  ];
  let text = readFileSync(documented, "utf8");
  for (const [pattern, replacement] of edits) {
    if (!pattern.test(text)) throw new Error(`docs/turnserver.conf changed: ${pattern} no longer matches`);
    text = text.replace(pattern, replacement);
  }
  return `${text}
# The test's own: no certificate here, both relays on loopback, its files in its directory.
no-tls
no-dtls
allow-loopback-peers
allowed-peer-ip=127.0.0.1
pidfile=${join(dir, "turnserver.pid")}
userdb=${join(dir, "turndb")}
no-stdout-log
verbose
`;
}

/** Whether `port` is free for UDP too (coturn listens on both). */
function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createSocket("udp4");
    probe.once("error", () => resolve(false));
    probe.bind(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const killed = setTimeout(() => child.kill("SIGKILL"), 5_000);
  await exited;
  clearTimeout(killed);
}

/** Waits until coturn answers a STUN Binding on `port` ("up"), exits, or stays silent for 30 s. */
async function answering(child: ChildProcess, port: number): Promise<"up" | "exited" | "silent"> {
  const exited = new Promise<"exited">((resolve) => child.once("exit", () => resolve("exited")));
  const probe = new TurnClient("127.0.0.1", port);
  try {
    // It opens its relay ports before it listens, which takes a while on a loaded machine.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      const answer = probe.binding().then(
        () => "up" as const,
        () => "silent" as const,
      );
      const result = await Promise.race([answer, exited]);
      if (result !== "silent") return result;
    }
    return "silent";
  } finally {
    probe.close();
  }
}

export async function startCoturn(): Promise<LocalCoturn> {
  if (!existsSync(TURNSERVER)) throw new Error(`${TURNSERVER} is missing: apt-get install coturn`);
  const dir = mkdtempSync(join(tmpdir(), "cac-coturn-"));
  const secret = randomBytes(24).toString("hex");
  const realm = "turn.cac.test";
  const logFile = join(dir, "turnserver.log");
  const log = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");
  // coturn cannot listen on port 0: take a port free now, and another if it was taken meanwhile.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    if (!(await udpFree(port))) continue;
    const conf = join(dir, "turnserver.conf");
    writeFileSync(conf, testConfig(port, secret, realm, dir));
    let output = "";
    const child = spawn(TURNSERVER, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    const up = await answering(child, port);
    if (up === "up") {
      return {
        urls: [`turn:127.0.0.1:${port}?transport=udp`, `turn:127.0.0.1:${port}?transport=tcp`],
        host: "127.0.0.1",
        port,
        realm,
        secret,
        log,
        async stop() {
          await stopChild(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child);
    if (attempt >= 3) {
      const text = `${output}\n${log()}`;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`coturn did not start on 127.0.0.1:${port} (${up}):\n${text.slice(-4000)}`);
    }
  }
}
