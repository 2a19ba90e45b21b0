/**
 * A Web Push service on loopback HTTPS, standing in for FCM/Mozilla/Apple at the network boundary:
 * the server's real `web-push` library sends it real requests, and the tests read them back the way
 * a browser would, decrypting each payload with the subscription's own keys (RFC 8291, aes128gcm)
 * and checking the VAPID JWT (RFC 8292). Its TLS certificate is made here, self-signed, and the
 * server's push requests trust it through an HTTPS agent.
 */
import {
  createDecipheriv,
  createECDH,
  createPublicKey,
  type ECDH,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import { Agent, createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";

// ---- A self-signed certificate for 127.0.0.1, written in DER by hand (node:crypto has no X.509 writer).

function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...parts: Buffer[]) => der(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => der(0x31, Buffer.concat(parts));
function oid(dotted: string): Buffer {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a + b];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let v = value >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}
const utcTime = (date: Date) =>
  der(0x17, Buffer.from(`${date.toISOString().slice(2, 19).replace(/[-:T]/g, "")}Z`, "ascii"));

/** A key and a self-signed certificate (PEM) valid for 127.0.0.1 and localhost, for a day. */
export function selfSignedCertificate(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const name = seq(set(seq(oid("2.5.4.3"), der(0x0c, Buffer.from("push service stand-in")))));
  const ecdsaSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const now = Date.now();
  const altNames = seq(der(0x87, Buffer.from([127, 0, 0, 1])), der(0x82, Buffer.from("localhost")));
  const extensions = der(
    0xa3,
    seq(
      seq(oid("2.5.29.19"), der(0x04, seq(der(0x01, Buffer.from([0xff]))))),
      seq(oid("2.5.29.17"), der(0x04, altNames)),
    ),
  );
  const serial = randomBytes(8);
  serial[0] = (serial[0] ?? 0) & 0x7f;
  const tbs = seq(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    ecdsaSha256,
    name,
    seq(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 86_400_000))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    extensions,
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificate = seq(tbs, ecdsaSha256, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const body = certificate.toString("base64").replace(/.{64}/g, "$&\n");
  return {
    key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`,
  };
}

// ---- Keys: the server's VAPID pair, and a browser's subscription.

const b64url = (bytes: Buffer) => bytes.toString("base64url");

/** A VAPID key pair as `web-push generate-vapid-keys` prints it (base64url). */
export function vapidKeys(): { publicKey: string; privateKey: string } {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? "", "base64url"),
    Buffer.from(jwk.y ?? "", "base64url"),
  ]);
  return { publicKey: b64url(point), privateKey: jwk.d ?? "" };
}

/** What a browser keeps of its subscription: its ECDH key pair (P-256) and its auth secret. */
export type BrowserKeys = { ecdh: ECDH; auth: Buffer; p256dh: string; authB64: string };

export function browserKeys(): BrowserKeys {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const auth = randomBytes(16);
  return { ecdh, auth, p256dh: b64url(ecdh.getPublicKey()), authB64: b64url(auth) };
}

/** Decrypts an aes128gcm Web Push body with the subscription's keys (RFC 8291 §3.4, RFC 8188). */
export function decryptPush(body: Buffer, keys: BrowserKeys): string {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20] ?? 0;
  const serverPublic = body.subarray(21, 21 + idLength);
  const records = body.subarray(21 + idLength);
  if (records.length > recordSize) throw new Error("the stand-in reads single-record pushes only");
  const secret = keys.ecdh.computeSecret(serverPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), keys.ecdh.getPublicKey(), serverPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", secret, keys.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(records.subarray(records.length - 16));
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length;
  while (end > 0 && padded[end - 1] === 0) end--;
  if (padded[end - 1] !== 2) throw new Error("the push's last record has no 0x02 delimiter");
  return padded.subarray(0, end - 1).toString("utf8");
}

export type VapidClaims = { aud: string; exp: number; sub: string };

/**
 * Reads `Authorization: vapid t=<jwt>, k=<public key>` and checks the JWT's ES256 signature with
 * that key; answers the claims and the key. Throws when anything does not hold.
 */
export function verifyVapid(authorization: string | undefined): { claims: VapidClaims; publicKey: string } {
  const match = authorization?.match(/^vapid t=([A-Za-z0-9_.-]+), k=([A-Za-z0-9_-]+)$/);
  if (!match?.[1] || !match[2]) throw new Error(`not a VAPID authorization: ${authorization}`);
  const [header, claims, signature] = match[1].split(".") as [string, string, string];
  const point = Buffer.from(match[2], "base64url");
  const key: KeyObject = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: b64url(point.subarray(1, 33)),
      y: b64url(point.subarray(33, 65)),
    },
    format: "jwk",
  });
  const head = JSON.parse(Buffer.from(header, "base64url").toString()) as { alg: string; typ: string };
  if (head.alg !== "ES256") throw new Error(`the VAPID JWT is signed with ${head.alg}, not ES256`);
  const valid = verify(
    "sha256",
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!valid) throw new Error("the VAPID JWT's signature does not verify with its key");
  return {
    claims: JSON.parse(Buffer.from(claims, "base64url").toString()) as VapidClaims,
    publicKey: match[2],
  };
}

// ---- The service itself.

export type ReceivedPush = {
  path: string;
  at: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
};

export type PushServiceStandIn = {
  origin: string;
  /** An agent that trusts this service's certificate (the server's `pushAgent`). */
  agent: Agent;
  received: ReceivedPush[];
  /** A new subscription's endpoint on this service, with a browser's keys for it. */
  subscription(): { endpoint: string; keys: { p256dh: string; auth: string }; browser: BrowserKeys };
  /** Answers pushes to this endpoint with `status` (404/410: the subscription is gone). */
  answer(endpoint: string, status: number): void;
  /** The pushes an endpoint received, waiting until there are `count` (or the timeout). */
  pushesTo(endpoint: string, count?: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  /** Called with each push as it arrives (the benchmark times them). */
  onPush?: (push: ReceivedPush) => void;
  close(): Promise<void>;
};

export async function startPushService(): Promise<PushServiceStandIn> {
  const { key, cert } = selfSignedCertificate();
  const statuses = new Map<string, number>();
  const received: ReceivedPush[] = [];
  let stand: PushServiceStandIn;
  const server: Server = createServer({ key, cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const push = {
        path: req.url ?? "",
        at: performance.now(),
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      received.push(push);
      stand.onPush?.(push);
      res.statusCode = statuses.get(push.path) ?? 201;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const agent = new Agent({ ca: cert, keepAlive: true });
  stand = {
    origin,
    agent,
    received,
    subscription() {
      const browser = browserKeys();
      const endpoint = `${origin}/push/${b64url(randomBytes(12))}`;
      return { endpoint, keys: { p256dh: browser.p256dh, auth: browser.authB64 }, browser };
    },
    answer(endpoint, status) {
      statuses.set(new URL(endpoint).pathname, status);
    },
    async pushesTo(endpoint, count = 1, timeoutMs = 10_000) {
      const path = new URL(endpoint).pathname;
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.filter((push) => push.path === path);
        if (found.length >= count || Date.now() > deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return stand;
}
