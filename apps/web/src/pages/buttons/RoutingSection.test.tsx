// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import superjson from "superjson";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AppRouter, type RouterOutputs, TRPCProvider } from "../../trpc";
import { type RoutingControls, RoutingSection } from "./RoutingSection";

/**
 * The button editor's routing section against a stand-in server behind the portal's own tRPC
 * link: its loading, refused (an agent) and loaded states, and what it sends when saved.
 */

type Routing = RouterOutputs["buttons"]["routing"];
const BUTTON_ID = "5f0c6d1e-8d0b-4f61-9d3b-0a1b2c3d4e5f";
const routing: Routing = {
  who: "chosen",
  strategy: "in-order",
  stepSeconds: 20,
  members: [{ userId: "u2", name: "Robin", ringSeconds: 10 }],
  candidates: [
    { userId: "u1", name: "Dana" },
    { userId: "u2", name: "Robin" },
  ],
};

type Answer = { data: unknown } | { error: { code: string; httpStatus: number; message: string } };

function standIn(answer: (path: string, input: unknown) => Answer | Promise<Answer>) {
  const asked: Array<{ path: string; input: unknown }> = [];
  const fetch = async (url: RequestInfo | URL, init?: RequestInit) => {
    const address = new URL(String(url));
    const paths = decodeURIComponent(address.pathname.replace(/^\/trpc\//, "")).split(",");
    const raw = init?.body
      ? JSON.parse(String(init.body))
      : JSON.parse(address.searchParams.get("input") ?? "{}");
    const body = await Promise.all(
      paths.map(async (path, i) => {
        const input = raw[i] === undefined ? undefined : superjson.deserialize(raw[i]);
        asked.push({ path, input });
        const result = await answer(path, input);
        if ("error" in result) {
          const { code, httpStatus, message } = result.error;
          return { error: superjson.serialize({ message, code: -32603, data: { code, httpStatus } }) };
        }
        return { result: { data: superjson.serialize(result.data) } };
      }),
    );
    const failed = body.some((entry) => "error" in entry);
    return new Response(JSON.stringify(body), {
      status: failed ? 403 : 200,
      headers: { "content-type": "application/json" },
    });
  };
  return { asked, fetch };
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
  throw new Error(`timed out waiting for ${what}: ${container?.textContent}`);
}

function render(
  server: ReturnType<typeof standIn>,
  phoneNumber: string | null = null,
  hooks: Pick<Parameters<typeof RoutingSection>[0], "controls" | "onDirtyChange"> = {},
) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
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
          <RoutingSection buttonId={BUTTON_ID} phoneNumber={phoneNumber} {...hooks} />
        </TRPCProvider>
      </QueryClientProvider>,
    ),
  );
  return { text: () => container?.textContent ?? "" };
}

describe("the routing section", () => {
  it("shows it is loading, then the routing in its order with the fallback", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const page = render(
      standIn(async () => {
        await gate;
        return { data: routing };
      }),
      "+12025550143",
    );
    expect(page.text()).toContain("Loading the routing");
    release();
    await until(
      () => page.text().includes("Ringing order") || Boolean(container?.querySelector("ol")),
      "the form",
    );
    const order = [...(container?.querySelectorAll("ol li") ?? [])].map((li) => li.textContent);
    expect(order).toEqual([expect.stringContaining("1. Robin")]);
    expect(page.text()).toContain(
      "then your phone number, (202) 555-0143 (when phone calls are on), then the callback form",
    );
  });

  it("tells an agent that only owners and admins see routing, with no retry", async () => {
    const page = render(
      standIn(() => ({
        error: { code: "FORBIDDEN", httpStatus: 403, message: "Only the owner can do this." },
      })),
    );
    await until(() => page.text().includes("We could not load the routing"), "the refusal");
    expect(page.text()).toContain("Only owners and admins can see and change call routing.");
    expect(container?.querySelector("button")).toBeNull();
  });

  it("saves the chosen members in the order shown", async () => {
    const server = standIn((path, input) =>
      path === "buttons.setRouting" ? { data: { ...routing, ...(input as object) } } : { data: routing },
    );
    const page = render(server);
    await until(() => Boolean(container?.querySelector("form")), "the form");
    const dana = [...(container?.querySelectorAll("label") ?? [])].find((l) => l.textContent === "Dana");
    act(() => dana?.querySelector("input")?.click());
    const up = container?.querySelector<HTMLButtonElement>('button[aria-label="Move Dana up"]');
    act(() => up?.click());
    const save = [...(container?.querySelectorAll("button") ?? [])].find(
      (b) => b.textContent === "Save routing",
    );
    act(() => save?.click());
    await until(() => page.text().includes("Routing saved."), "the save");
    expect(server.asked.find((a) => a.path === "buttons.setRouting")?.input).toEqual({
      id: BUTTON_ID,
      who: "chosen",
      strategy: "in-order",
      stepSeconds: 20,
      members: [
        { userId: "u1", ringSeconds: null },
        { userId: "u2", ringSeconds: 10 },
      ],
    });
  });

  it("tells the page around it of unsaved changes, and saves them on its Next (a refusal says why)", async () => {
    let refuse = true;
    const server = standIn((path, input) => {
      if (path !== "buttons.setRouting") return { data: routing };
      if (refuse)
        return { error: { code: "BAD_REQUEST", httpStatus: 400, message: "Check the ring times." } };
      return { data: { ...routing, ...(input as object) } };
    });
    const controls: { current: RoutingControls | null } = { current: null };
    const dirty: boolean[] = [];
    const page = render(server, null, { controls, onDirtyChange: (d) => dirty.push(d) });
    await until(() => Boolean(controls.current), "the form");
    // Nothing changed: nothing is sent.
    expect(await controls.current?.saveIfChanged()).toBe(true);
    expect(server.asked.some((a) => a.path === "buttons.setRouting")).toBe(false);
    const dana = [...(container?.querySelectorAll("label") ?? [])].find((l) => l.textContent === "Dana");
    act(() => dana?.querySelector("input")?.click());
    expect(dirty.at(-1)).toBe(true);
    let ok: boolean | undefined;
    await act(async () => {
      ok = await controls.current?.saveIfChanged();
    });
    expect(ok).toBe(false);
    await until(() => page.text().includes("The routing was not saved"), "the refusal");
    expect(dirty.at(-1)).toBe(true);
    expect(dana?.querySelector("input")?.checked).toBe(true);
    refuse = false;
    await act(async () => {
      ok = await controls.current?.saveIfChanged();
    });
    expect(ok).toBe(true);
    await until(() => dirty.at(-1) === false, "the saved routing");
  });
});

describe("the routing section with push notifications on", () => {
  it("says a member reached by push rings up to the cold-start allowance longer", async () => {
    const page = render(
      standIn((path) =>
        path === "notifications.config"
          ? { data: { enabled: true, publicKey: "BExample", coldStartSeconds: 30 } }
          : { data: routing },
      ),
    );
    await until(() => page.text().includes("up to 30 seconds"), "the push note");
    expect(page.text()).toContain("reached by a push notification");
  });

  it("says nothing of push when it is off on the server", async () => {
    const page = render(
      standIn((path) =>
        path === "notifications.config"
          ? { data: { enabled: false, publicKey: null, coldStartSeconds: 30 } }
          : { data: routing },
      ),
    );
    await until(() => Boolean(container?.querySelector("form")), "the form");
    await act(() => new Promise((resolve) => setTimeout(resolve, 50)));
    expect(page.text()).not.toContain("push notification");
  });
});
