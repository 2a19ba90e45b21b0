// A team.presence stream held as the portal holds it (the Team page and the phone panels read
// it), noting when each notice arrived.

export type Notice = { type: string; userId?: string; reachable?: boolean };

export async function openPresenceStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(`${url}/trpc/team.presence`, {
    headers: { ...headers, accept: "text/event-stream" },
    signal: abort.signal,
  });
  if (!res.ok || !res.body) throw new Error(`team.presence answered ${res.status}`);
  const heard: Array<{ at: number; notice: Notice }> = [];
  const reader = res.body.getReader();
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const at = performance.now();
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (data && !/^event: /m.test(block))
            heard.push({ at, notice: (JSON.parse(data) as { json: Notice }).json });
        }
      }
    } catch {
      // Closed by the bench.
    }
  })();
  return {
    /** When a notice matching `match` arrived after `since` (performance.now()), or null. */
    heardAt(since: number, match: (notice: Notice) => boolean): number | null {
      return heard.find((h) => h.at >= since && match(h.notice))?.at ?? null;
    },
    listening: () => heard.some((h) => h.notice.type === "listening"),
    close: () => abort.abort(),
  };
}

export const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

export const summary = (values: number[]) =>
  `p50 ${pct(values, 50).toFixed(0)} ms, p95 ${pct(values, 95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;

export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
