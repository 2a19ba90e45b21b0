import { Agent, type Agent as HttpAgent, type IncomingHttpHeaders, request } from "node:http";

export type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

/**
 * One HTTP request to 127.0.0.1:`port` from the local address `from` (all of 127/8 is this
 * machine, so a proxy sees each client's own address, as it would different visitors'), with a
 * JSON body if `json` is given, on a connection of `agent`'s or, by default, of its own.
 */
export function sendFrom(
  port: number,
  from: string,
  path: string,
  options: { method?: string; json?: unknown; headers?: Record<string, string>; agent?: HttpAgent } = {},
): Promise<Answer> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        localAddress: from,
        path,
        method: options.method ?? (body ? "POST" : "GET"),
        agent: options.agent ?? false,
        headers: { ...(body ? { "content-type": "application/json" } : {}), ...options.headers },
        timeout: 30_000,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer in 30 s")));
    req.on("error", reject);
    req.end(body);
  });
}

/** A client from one local address that keeps its connections open between requests, as a browser does. */
export function keepAliveClient(port: number, from: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  return {
    request: (
      method: "GET" | "POST",
      path: string,
      options: { headers?: Record<string, string>; json?: unknown } = {},
    ) => sendFrom(port, from, path, { ...options, method, agent }),
    close: () => agent.destroy(),
  };
}

/** A tRPC query's path with its input, as the portal's client sends it (superjson envelope). */
export function trpcQueryPath(procedure: string, input?: unknown): string {
  return input === undefined
    ? `/trpc/${procedure}`
    : `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
}
