/**
 * Resend at the network boundary, for tests: a tiny HTTP server standing in for api.resend.com
 * (the real SDK is pointed at it through RESEND_BASE_URL). It accepts POST /emails as Resend does
 * and records every request.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type SentEmail = {
  from: string;
  to: string | string[];
  subject: string;
  html?: string;
  text?: string;
  [key: string]: unknown;
};

export type ResendRequest = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body the SDK sent. */
  body: SentEmail;
};

export type ResendStandIn = {
  url: string;
  requests: ResendRequest[];
  /** Emails accepted (answered with an id), optionally only those to one address. */
  sent(to?: string): SentEmail[];
  /** Answers the next POST /emails with this Resend error instead (once). */
  failNext(status: number, error: { name: string; message: string }): void;
  /** Answers every POST /emails with this error (an outage) until called with null. */
  failAll(failure: { status: number; error: { name: string; message: string } } | null): void;
  /** Holds every POST /emails unanswered (a hung API) until `release()`. */
  hold(): void;
  /** Answers the held requests (whose clients still wait) and stops holding. */
  release(): void;
  /** Requests being held now (their clients still waiting). */
  held(): number;
  /** Answers each POST /emails only after this many ms (a real API's round trip). */
  setDelay(ms: number): void;
  close(): Promise<void>;
};

export const RESEND_TEST_KEY = "re_test_clickandcall";

export async function startResendStandIn(): Promise<ResendStandIn> {
  const requests: ResendRequest[] = [];
  const accepted: SentEmail[] = [];
  let failure: { status: number; error: { name: string; message: string } } | null = null;
  let outage: { status: number; error: { name: string; message: string } } | null = null;
  let holding = false;
  let delayMs = 0;
  const waiting = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const path = (req.url ?? "/").split("?")[0]!;
      let body: SentEmail;
      try {
        body = JSON.parse(raw) as SentEmail;
      } catch {
        body = { from: "", to: "", subject: "", unparsed: raw };
      }
      requests.push({ method: req.method ?? "", path, headers: req.headers, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${RESEND_TEST_KEY}`) {
        return send(401, { statusCode: 401, name: "missing_api_key", message: "API key is invalid" });
      }
      if (req.method === "POST" && path === "/emails") {
        const answer = () => {
          // A client that gave up (timeout, shutdown) gets nothing, and nothing is sent.
          if (res.destroyed) return;
          if (outage) return send(outage.status, { statusCode: outage.status, ...outage.error });
          if (failure) {
            const { status, error } = failure;
            failure = null;
            return send(status, { statusCode: status, ...error });
          }
          if (!body.from || !body.to || !body.subject) {
            return send(422, {
              statusCode: 422,
              name: "validation_error",
              message: "Missing `from`, `to` or `subject` field.",
            });
          }
          accepted.push(body);
          return send(200, { id: randomUUID() });
        };
        if (holding) {
          const go = () => {
            waiting.delete(go);
            answer();
          };
          waiting.add(go);
          res.on("close", () => waiting.delete(go));
          return;
        }
        if (delayMs > 0) {
          setTimeout(answer, delayMs);
          return;
        }
        return answer();
      }
      return send(404, { statusCode: 404, name: "not_found", message: "Route not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    sent: (to) => accepted.filter((mail) => !to || [mail.to].flat().includes(to)),
    failNext(status, error) {
      failure = { status, error };
    },
    failAll(value) {
      outage = value;
    },
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const go of [...waiting]) go();
    },
    held: () => waiting.size,
    setDelay(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
