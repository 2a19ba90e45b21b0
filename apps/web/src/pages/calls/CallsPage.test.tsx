// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { MemoryRouter } from "react-router";
import superjson from "superjson";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MeContext } from "../../components/MeContext";
import { type AppRouter, type Me, type RouterOutputs, TRPCProvider } from "../../trpc";
import { CallsPage } from "./CallsPage";

/**
 * The Calls page against a stand-in server behind the portal's own tRPC link (superjson over
 * httpBatchLink, with a fetch that answers each procedure from the test's data and records what
 * was asked): the totals and charts cover the last 30 days by default, say so, and are fetched
 * again only when a call that counts in them ends.
 */

// The charts draw on canvases, which happy-dom has not: a plot that draws nothing.
vi.mock("uplot", () => ({
  default: class {
    static tzDate = (date: Date) => date;
    static paths = {};
    width = 0;
    setSize() {}
    destroy() {}
  },
}));

type LiveCall = RouterOutputs["callLog"]["live"]["items"][number];
type CallRow = RouterOutputs["callLog"]["list"]["items"][number];

const TIMEZONE = "America/Chicago";
const BUTTON = { id: "5f0c6d1e-8d0b-4f61-9d3b-0a1b2c3d4e5f", name: "Website" };

const me = {
  // An agent: the page without the IP block tools (their queries are not what these tests count).
  user: { id: "u1", email: "agent@acme.test", name: "Agent", role: "agent" },
  account: { id: "a1", timezone: TIMEZONE },
} as unknown as Me;

/** A calendar day in the account's timezone, `days` after the one `instant` falls on. */
function dayIn(instant: Date, days = 0): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: TIMEZONE, dateStyle: "short" }).format(instant);
  return new Date(Date.parse(`${parts}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function liveCall(id: string, status: LiveCall["status"] = "ringing"): LiveCall {
  return {
    id,
    startedAt: new Date(Date.now() - 30_000),
    answeredAt: status === "in-progress" ? new Date(Date.now() - 10_000) : null,
    status,
    transport: "webrtc",
    button: BUTTON,
    visitorIp: "203.0.113.7",
    pageUrl: "https://acme.test/",
  };
}

const loggedCall: CallRow = {
  id: "c0",
  startedAt: new Date(Date.now() - 3_600_000),
  button: BUTTON,
  durationSeconds: 42,
  status: "completed",
  transport: "webrtc",
  visitorIp: "203.0.113.5",
  pageUrl: "https://acme.test/",
  failureReason: null,
  answeredBy: "Dana",
  tags: [],
  hasNotes: false,
  test: false,
  language: null,
  source: "Google Ads",
  campaign: "spring-sale",
};

/** A call the widget took in Spanish. */
const spanishCall: CallRow = { ...loggedCall, id: "c9", answeredBy: "Lee", language: "es" };

/** The stand-in server: what each procedure answers now, and every call it was asked. */
function standIn() {
  const asked: Array<{ path: string; input: unknown }> = [];
  const state = { live: [liveCall("c1"), liveCall("c2", "in-progress")] };
  const answers: Record<string, (input: unknown) => unknown> = {
    "callLog.live": () => ({ timezone: TIMEZONE, items: state.live }),
    "callLog.list": () => ({ timezone: TIMEZONE, items: [loggedCall, spanishCall], nextCursor: null }),
    "callLog.totals": () => ({
      timezone: TIMEZONE,
      calls: 7,
      answered: 5,
      answerRate: 5 / 7,
      totalDurationSeconds: 300,
      avgDurationSeconds: 60,
      minutes: 8,
    }),
    "callLog.charts": (input) => {
      // Without dates, the server draws the last 30 days.
      const { from = dayIn(new Date(), -29), to = dayIn(new Date()) } = (input ?? {}) as {
        from?: string;
        to?: string;
      };
      return {
        timezone: TIMEZONE,
        from,
        to,
        days: [],
        dayStarts: [],
        calls: [],
        minutes: [],
        answerRate: [],
      };
    },
    "callLog.sources": () => ({
      byPage: [],
      bySource: [{ source: "Google Ads", calls: 3, answered: 2, answerRate: 2 / 3 }],
    }),
    "buttons.list": () => [],
    "callbacks.assignees": () => ({ items: [] }),
    "callLog.contextOptions": () => ({ sources: ["Google Ads", "yelp.com"], campaigns: ["spring-sale"] }),
  };
  const fetch = async (url: RequestInfo | URL) => {
    const address = new URL(String(url));
    const paths = decodeURIComponent(address.pathname.replace(/^\/trpc\//, "")).split(",");
    const inputs = JSON.parse(address.searchParams.get("input") ?? "{}") as Record<string, never>;
    const body = paths.map((path, i) => {
      const input = inputs[i] === undefined ? undefined : superjson.deserialize(inputs[i]);
      asked.push({ path, input });
      const answer = answers[path];
      if (!answer) throw new Error(`the stand-in has no ${path}`);
      return { result: { data: superjson.serialize(answer(input)) } };
    });
    return new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });
  };
  const count = (path: string) => asked.filter((a) => a.path === path).length;
  return { asked, state, fetch, count };
}

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

/** Lets every request and render that is due run. */
async function settle() {
  for (let i = 0; i < 10; i++) await act(() => new Promise((resolve) => setTimeout(resolve, 10)));
}

async function openCallsPage(path = "/calls") {
  const server = standIn();
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: 30_000 } } });
  const trpcClient = createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: "http://portal.test/trpc", transformer: superjson, fetch: server.fetch })],
  });
  container = document.createElement("div");
  document.body.append(container);
  root = createRoot(container);
  act(() =>
    root?.render(
      <QueryClientProvider client={queryClient}>
        <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
          <MeContext.Provider value={me}>
            <MemoryRouter initialEntries={[path]}>
              <CallsPage />
            </MemoryRouter>
          </MeContext.Provider>
        </TRPCProvider>
      </QueryClientProvider>,
    ),
  );
  await until(() => server.count("callLog.totals") > 0 && server.count("callLog.charts") > 0, "the totals");
  await settle();
  /** One poll of the live list, as its 5-second timer does. */
  const poll = () => act(() => queryClient.refetchQueries({ queryKey: [["callLog", "live"]] }));
  return { server, poll, text: () => container?.textContent ?? "" };
}

describe("the Calls page's log", () => {
  it("says who answered each call", async () => {
    const page = await openCallsPage();
    const table = container?.querySelector("table.calls-table");
    const headers = [...(table?.querySelectorAll("th") ?? [])].map((th) => th.textContent);
    expect(headers).toContain("Answered by");
    const column = headers.indexOf("Answered by");
    const cells = table?.querySelector("tbody tr")?.querySelectorAll("td");
    expect(cells?.[column]?.textContent).toBe("Dana");
    expect(page.text()).toContain("Dana");
  });

  it("shows only a source's calls when that source is picked in “Where calls come from”", async () => {
    const page = await openCallsPage();
    const pick = [...(container?.querySelectorAll("#call-sources button") ?? [])].find(
      (b) => b.textContent === "Google Ads",
    ) as HTMLButtonElement | undefined;
    expect(pick).toBeDefined();
    const lists = page.server.count("callLog.list");
    act(() => pick?.click());
    await until(() => page.server.count("callLog.list") > lists, "the log's refresh");
    const last = page.server.asked.filter((a) => a.path === "callLog.list").at(-1)?.input as {
      source?: string;
    };
    expect(last.source).toBe("Google Ads");
  });

  it("marks a call the widget took in Spanish, and only that one", async () => {
    const page = await openCallsPage();
    const rows = () => [...(container?.querySelectorAll("table.calls-table tbody tr") ?? [])];
    expect(rows()).toHaveLength(2);
    expect(rows()[0]?.textContent).not.toContain("Spanish");
    expect(rows()[1]?.textContent).toContain("Spanish");
    expect(page.text().match(/Spanish/g)).toHaveLength(1);
  });
});

describe("the Calls page's totals and charts", () => {
  it("cover the last 30 days by default, and say which days", async () => {
    const page = await openCallsPage();
    const today = dayIn(new Date());
    const from = dayIn(new Date(), -29);
    const totals = page.server.asked.filter((a) => a.path === "callLog.totals");
    const charts = page.server.asked.filter((a) => a.path === "callLog.charts");
    expect(totals.map((a) => a.input)).toEqual([{ from, to: today }]);
    expect(charts.map((a) => a.input)).toEqual([{ from, to: today }]);
    // "Where calls come from" covers the same range.
    const sources = page.server.asked.filter((a) => a.path === "callLog.sources");
    expect(sources.map((a) => a.input)).toEqual([{ from, to: today }]);
    const shown = (day: string) =>
      new Intl.DateTimeFormat(undefined, { timeZone: "UTC", dateStyle: "medium" }).format(
        new Date(`${day}T00:00:00Z`),
      );
    expect(page.text()).toContain(
      `Totals and charts for the last 30 days (${shown(from)} – ${shown(today)})`,
    );
    expect(page.text()).toContain("Choose From and To dates in the filters for another range.");
    // The log itself keeps every call (its pages are cheap): no dates unless chosen.
    const listInput = page.server.asked.find((a) => a.path === "callLog.list")?.input;
    expect(listInput).toMatchObject({ limit: 50 });
    expect(listInput).not.toHaveProperty("from");
    expect(listInput).not.toHaveProperty("to");
  });

  it("follow the dates chosen in the filters", async () => {
    const page = await openCallsPage("/calls?from=2026-01-05&to=2026-02-10");
    const totals = page.server.asked.filter((a) => a.path === "callLog.totals");
    expect(totals.map((a) => a.input)).toEqual([{ from: "2026-01-05", to: "2026-02-10" }]);
    expect(page.text()).toContain("Totals and charts for Jan");
    expect(page.text()).toContain("Clear the dates for the last 30 days.");
  });

  it("cover the 30 days up to an end date chosen alone", async () => {
    const page = await openCallsPage("/calls?to=2026-03-10");
    const totals = page.server.asked.filter((a) => a.path === "callLog.totals");
    expect(totals.map((a) => a.input)).toEqual([{ from: "2026-02-09", to: "2026-03-10" }]);
    expect(page.text()).toContain("Totals and charts for the 30 days up to Mar");
  });

  it("are not fetched again when the live list changes without a call ending", async () => {
    const page = await openCallsPage();
    const lists = page.server.count("callLog.list");
    // A new call rings, and one is answered: the log is refreshed, the aggregates are not.
    page.server.state.live = [liveCall("c3"), liveCall("c1", "in-progress"), liveCall("c2", "in-progress")];
    await page.poll();
    await until(() => page.server.count("callLog.list") > lists, "the log's refresh");
    await settle();
    expect(page.server.count("callLog.totals")).toBe(1);
    expect(page.server.count("callLog.charts")).toBe(1);
    // Polls that find nothing new fetch nothing else either.
    await page.poll();
    await page.poll();
    await settle();
    expect(page.server.count("callLog.live")).toBe(4);
    expect(page.server.count("callLog.totals")).toBe(1);
    expect(page.server.count("callLog.charts")).toBe(1);
  });

  it("are fetched again when a call in their range ends", async () => {
    const page = await openCallsPage();
    page.server.state.live = [liveCall("c2", "in-progress")];
    await page.poll();
    await until(
      () => page.server.count("callLog.totals") === 2 && page.server.count("callLog.charts") === 2,
      "the totals' refresh",
    );
    await settle();
    expect(page.server.count("callLog.totals")).toBe(2);
    expect(page.server.count("callLog.sources")).toBe(2);
    const today = dayIn(new Date());
    expect(page.server.asked.filter((a) => a.path === "callLog.totals").at(-1)?.input).toEqual({
      from: dayIn(new Date(), -29),
      to: today,
    });
  });

  it("are not fetched again when the call that ended started outside their range", async () => {
    const page = await openCallsPage("/calls?from=2025-01-01&to=2025-01-31");
    const lists = page.server.count("callLog.list");
    page.server.state.live = [liveCall("c2", "in-progress")];
    await page.poll();
    await until(() => page.server.count("callLog.list") > lists, "the log's refresh");
    await settle();
    expect(page.server.count("callLog.totals")).toBe(1);
    expect(page.server.count("callLog.charts")).toBe(1);
  });
});
