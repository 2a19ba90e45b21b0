/**
 * Cloudflare's Turnstile siteverify at the network boundary, for tests: a tiny HTTP server the
 * server's TURNSTILE_VERIFY_URL points at. It answers like siteverify (success, error-codes,
 * challenge_ts, hostname, action) for tokens the test has issued, and records every request.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type SiteverifyRequest = {
  contentType: string | undefined;
  form: Record<string, string>;
};

export type IssuedToken = {
  /** Where the challenge was "solved": the page's hostname. */
  hostname: string;
  /** The widget's action. */
  action: string;
};

export type TurnstileStandIn = {
  url: string;
  requests: SiteverifyRequest[];
  /** A token siteverify will accept once (a second check answers timeout-or-duplicate). */
  issue(token: IssuedToken): string;
  close(): Promise<void>;
};

export async function startTurnstileStandIn(secret: string): Promise<TurnstileStandIn> {
  const requests: SiteverifyRequest[] = [];
  const issued = new Map<string, IssuedToken & { spent: boolean; solvedAt: string }>();
  let counter = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const contentType = req.headers["content-type"];
      const form: Record<string, string> = contentType?.includes("json")
        ? (JSON.parse(body) as Record<string, string>)
        : Object.fromEntries(new URLSearchParams(body));
      requests.push({ contentType, form });
      const send = (payload: unknown) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(payload));
      };
      const fail = (...codes: string[]) => send({ success: false, "error-codes": codes, messages: [] });
      if (req.method !== "POST" || req.url !== "/turnstile/v0/siteverify") return fail("bad-request");
      if (!form.secret) return fail("missing-input-secret");
      if (form.secret !== secret) return fail("invalid-input-secret");
      if (!form.response) return fail("missing-input-response");
      const token = issued.get(form.response);
      if (!token) return fail("invalid-input-response");
      if (token.spent) return fail("timeout-or-duplicate");
      token.spent = true;
      send({
        success: true,
        "error-codes": [],
        challenge_ts: token.solvedAt,
        hostname: token.hostname,
        action: token.action,
        cdata: "",
        metadata: { interactive: false },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/turnstile/v0/siteverify`,
    requests,
    issue(token) {
      counter += 1;
      const value = `0.test-token-${counter}-${token.action}-${token.hostname}`;
      issued.set(value, { ...token, spent: false, solvedAt: new Date().toISOString() });
      return value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // The server's fetch keeps connections alive; close() alone would wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
