// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import superjson from "superjson";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type AppRouter, type RouterOutputs, TRPCProvider } from "../../trpc";
import { CallSources } from "./CallSources";

/**
 * The "Where calls come from" card against a stand-in server behind the portal's own tRPC link:
 * what it asks for, the two lists with counts and answer rates, and its empty and error states.
 */

type Sources = RouterOutputs["callLog"]["sources"];

const INPUT = { from: "2026-11-01", to: "2026-11-30", buttonId: "5f0c6d1e-8d0b-4f61-9d3b-0a1b2c3d4e5f" };

let root: Root | undefined;
let container: HTMLElement | undefined;

beforeAll(() => {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
});

afterEach(() => {
  act(() => root?.unmount());
  container?.remove();
  root = undefined;
});

async function until(check: () => boolean, what: string) {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Renders the card; `answer` is what callLog.sources answers (an Error: a failure). */
function render(answer: () => Sources | Error, onPickSource?: (source: string) => void) {
  const asked: unknown[] = [];
  const fetch = async (url: RequestInfo | URL) => {
    const address = new URL(String(url));
    const inputs = JSON.parse(address.searchParams.get("input") ?? "{}") as Record<string, never>;
    asked.push(superjson.deserialize(inputs[0]!));
    const result = answer();
    const body =
      result instanceof Error
        ? [
            {
              error: superjson.serialize({
                message: result.message,
                code: -32603,
                data: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500 },
              }),
            },
          ]
        : [{ result: { data: superjson.serialize(result) } }];
    return new Response(JSON.stringify(body), {
      status: result instanceof Error ? 500 : 200,
      headers: { "content-type": "application/json" },
    });
  };
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const trpcClient = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: "http://portal.test/trpc", transformer: superjson, fetch })],
  });
  container = document.createElement("div");
  document.body.append(container);
  root = createRoot(container);
  act(() =>
    root?.render(
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <CallSources input={INPUT} onPickSource={onPickSource} />
        </TRPCProvider>
      </QueryClientProvider>,
    ),
  );
  return { asked, text: () => container?.textContent ?? "" };
}

const rowsOf = (caption: string) => {
  const table = [...(container?.querySelectorAll("table") ?? [])].find(
    (t) => t.querySelector("caption")?.textContent === caption,
  );
  return [...(table?.querySelectorAll("tbody tr") ?? [])].map((tr) =>
    [...tr.querySelectorAll("th, td")].map((cell) => cell.textContent),
  );
};

describe("where calls come from", () => {
  it("asks for the page's range and filters, and lists pages and sources with calls and answer rates", async () => {
    const page = render(() => ({
      byPage: [
        { page: "acme.test/pricing", calls: 1200, answered: 900, answerRate: 0.75 },
        { page: null, calls: 3, answered: 1, answerRate: 1 / 3 },
      ],
      bySource: [
        { source: "Google Ads", calls: 800, answered: 400, answerRate: 0.5 },
        { source: null, calls: 403, answered: 403, answerRate: 1 },
      ],
    }));
    await until(() => rowsOf("Calls by page").length > 0, "the lists");
    expect(page.asked).toEqual([INPUT]);
    expect(rowsOf("Calls by page")).toEqual([
      ["acme.test/pricing", (1200).toLocaleString(), "75%"],
      ["No page", "3", "33%"],
    ]);
    expect(rowsOf("Calls by source")).toEqual([
      ["Google Ads", "800", "50%"],
      ["Unknown", "403", "100%"],
    ]);
  });

  it("lets a source be picked for the log's Source filter", async () => {
    const picked = vi.fn();
    render(
      () => ({
        byPage: [{ page: "acme.test/", calls: 2, answered: 1, answerRate: 0.5 }],
        bySource: [
          { source: "facebook.com", calls: 2, answered: 1, answerRate: 0.5 },
          { source: null, calls: 1, answered: 0, answerRate: 0 },
        ],
      }),
      picked,
    );
    await until(() => rowsOf("Calls by source").length > 0, "the lists");
    const buttons = [...(container?.querySelectorAll("table button") ?? [])] as HTMLButtonElement[];
    // Only a known source can be filtered on; pages are not buttons.
    expect(buttons.map((b) => b.textContent)).toEqual(["facebook.com"]);
    act(() => buttons[0]?.click());
    expect(picked).toHaveBeenCalledWith("facebook.com");
  });

  it("says when the range has no calls", async () => {
    const page = render(() => ({ byPage: [], bySource: [] }));
    await until(() => page.text().includes("No calls in this range"), "the empty state");
    expect(container?.querySelector("table")).toBeNull();
  });

  it("says when it could not load, and tries again", async () => {
    let fail = true;
    const page = render(() =>
      fail
        ? new Error("boom")
        : { byPage: [{ page: "acme.test/", calls: 1, answered: 1, answerRate: 1 }], bySource: [] },
    );
    await until(() => page.text().includes("We could not load where calls come from"), "the error");
    expect(container?.querySelector("[role=alert]")).not.toBeNull();
    fail = false;
    const retry = [...(container?.querySelectorAll("button") ?? [])].find(
      (b) => b.textContent === "Try again",
    );
    act(() => retry?.click());
    await until(() => rowsOf("Calls by page").length > 0, "the lists after a retry");
    expect(rowsOf("Calls by source")).toEqual([["None in this range."]]);
  });
});
