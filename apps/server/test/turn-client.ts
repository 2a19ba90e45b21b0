import { createHash, createHmac, randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";

/**
 * A small TURN client over UDP (RFC 5389 STUN messages, RFC 5766 Allocate and Refresh, long-term
 * credentials), enough to ask a real coturn for a relay with a credential and read its answer.
 */

const MAGIC = 0x2112a442;
const METHOD = { binding: 0x001, allocate: 0x003, refresh: 0x004 } as const;
const ATTR = {
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  lifetime: 0x000d,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
} as const;

type Attribute = { type: number; value: Buffer };

export type TurnAnswer = {
  /** "success", or "error" with the STUN error code (401 Unauthorized, 438 Stale Nonce, ...). */
  kind: "success" | "error";
  code: number | undefined;
  reason: string | undefined;
  realm: string | undefined;
  nonce: string | undefined;
  /** XOR-RELAYED-ADDRESS of a successful Allocate: the relay coturn opened. */
  relayed: string | undefined;
  /** XOR-MAPPED-ADDRESS: this client's address as the server saw it. */
  mapped: string | undefined;
  lifetime: number | undefined;
};

function attribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

/** A request; with `key`, MESSAGE-INTEGRITY (HMAC-SHA1 over the message up to it, RFC 5389 15.4) ends it. */
function request(method: number, attributes: Attribute[], key?: Buffer): Buffer {
  const body = Buffer.concat(attributes.map((a) => attribute(a.type, a.value)));
  const header = Buffer.alloc(20);
  header.writeUInt16BE(method, 0);
  header.writeUInt16BE(body.length + (key ? 24 : 0), 2);
  header.writeUInt32BE(MAGIC, 4);
  randomBytes(12).copy(header, 8);
  const message = Buffer.concat([header, body]);
  if (!key) return message;
  const integrity = createHmac("sha1", key).update(message).digest();
  return Buffer.concat([message, attribute(ATTR.messageIntegrity, integrity)]);
}

function xorAddress(value: Buffer): string {
  const port = value.readUInt16BE(2) ^ (MAGIC >>> 16);
  const ip = [0, 1, 2, 3].map((i) => (value[4 + i] ?? 0) ^ ((MAGIC >>> (24 - 8 * i)) & 0xff)).join(".");
  return `${ip}:${port}`;
}

function parse(message: Buffer): TurnAnswer {
  const type = message.readUInt16BE(0);
  const length = message.readUInt16BE(2);
  // Class bits of the message type (RFC 5389 6): 0b10 success response, 0b11 error response.
  const cls = ((type >> 7) & 0b10) | ((type >> 4) & 0b01);
  const answer: TurnAnswer = {
    kind: cls === 0b10 ? "success" : "error",
    code: undefined,
    reason: undefined,
    realm: undefined,
    nonce: undefined,
    relayed: undefined,
    mapped: undefined,
    lifetime: undefined,
  };
  for (let at = 20; at + 4 <= 20 + length; ) {
    const attrType = message.readUInt16BE(at);
    const size = message.readUInt16BE(at + 2);
    const value = message.subarray(at + 4, at + 4 + size);
    if (attrType === ATTR.errorCode) {
      answer.code = (value[2] ?? 0) * 100 + (value[3] ?? 0);
      answer.reason = value.subarray(4).toString("utf8");
    } else if (attrType === ATTR.realm) answer.realm = value.toString("utf8");
    else if (attrType === ATTR.nonce) answer.nonce = value.toString("utf8");
    else if (attrType === ATTR.xorRelayedAddress) answer.relayed = xorAddress(value);
    else if (attrType === ATTR.xorMappedAddress) answer.mapped = xorAddress(value);
    else if (attrType === ATTR.lifetime) answer.lifetime = value.readUInt32BE(0);
    at += 4 + Math.ceil(size / 4) * 4;
  }
  return answer;
}

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
};

/** One client socket: a TURN allocation belongs to its 5-tuple, so a new client is a new session. */
export class TurnClient {
  private readonly socket: Socket = createSocket("udp4");
  private realm = "";
  private nonce = "";

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {}

  private exchange(message: Buffer): Promise<TurnAnswer> {
    const id = message.subarray(8, 20);
    return new Promise((resolve, reject) => {
      let tries = 0;
      const send = () => {
        tries += 1;
        // UDP: sent again every half second, as a browser's TURN client does, for up to 5 s.
        if (tries > 10) {
          done();
          reject(new Error(`no answer from ${this.host}:${this.port}`));
          return;
        }
        this.socket.send(message, this.port, this.host);
      };
      const onMessage = (reply: Buffer) => {
        if (reply.length < 20 || !reply.subarray(8, 20).equals(id)) return;
        done();
        resolve(parse(reply));
      };
      const timer = setInterval(send, 500);
      const done = () => {
        clearInterval(timer);
        this.socket.off("message", onMessage);
      };
      this.socket.on("message", onMessage);
      send();
    });
  }

  /** A STUN Binding request (no credential): answers once the server is up. */
  binding(): Promise<TurnAnswer> {
    return this.exchange(request(METHOD.binding, []));
  }

  /**
   * An authenticated request: the first attempt learns the realm and nonce from the server's 401
   * challenge (and a 438 Stale Nonce hands a fresh nonce), as a browser's TURN client does.
   */
  private async authenticated(
    method: number,
    attributes: Attribute[],
    username: string,
    password: string,
  ): Promise<TurnAnswer> {
    let answer: TurnAnswer | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!this.nonce) {
        answer = await this.exchange(request(method, attributes));
      } else {
        const key = createHash("md5").update(`${username}:${this.realm}:${password}`).digest();
        const credentials: Attribute[] = [
          { type: ATTR.username, value: Buffer.from(username) },
          { type: ATTR.realm, value: Buffer.from(this.realm) },
          { type: ATTR.nonce, value: Buffer.from(this.nonce) },
        ];
        answer = await this.exchange(request(method, [...attributes, ...credentials], key));
      }
      const challenged = answer.kind === "error" && (answer.code === 401 || answer.code === 438);
      const fresh = answer.nonce !== undefined && answer.nonce !== this.nonce;
      if (answer.realm) this.realm = answer.realm;
      if (answer.nonce) this.nonce = answer.nonce;
      // Retry only with something new to try: a first challenge, or a stale nonce replaced.
      if (!challenged || !fresh || (answer.code === 401 && attempt > 0)) return answer;
    }
    return answer as TurnAnswer;
  }

  /** Allocate a UDP relay (REQUESTED-TRANSPORT 17). */
  allocate(username: string, password: string): Promise<TurnAnswer> {
    const udp = Buffer.from([17, 0, 0, 0]);
    return this.authenticated(
      METHOD.allocate,
      [{ type: ATTR.requestedTransport, value: udp }],
      username,
      password,
    );
  }

  /** Refresh the allocation for `lifetime` seconds (0 releases it). */
  refresh(username: string, password: string, lifetime: number): Promise<TurnAnswer> {
    return this.authenticated(
      METHOD.refresh,
      [{ type: ATTR.lifetime, value: u32(lifetime) }],
      username,
      password,
    );
  }

  close() {
    this.socket.close();
  }
}
