// @vitest-environment happy-dom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import superjson from "superjson";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AppRouter, type RouterOutputs, TRPCProvider } from "../../trpc";
import { NotificationsSection, testResult } from "./NotificationsSection";

/**
 * Account › Notifications against a stand-in server behind the portal's own tRPC link: push off on
 * the server, a browser without push, the device list, and the per-event switches saving (or not).
 */

type Preferences = RouterOutputs["notifications"]["preferences"];
const preferences: Preferences = {
  pushIncomingCall: true,
  pushMissedCall: true,
  pushCallback: true,
  emailMissedCall: true,
  emailCallback: true,
  emailDailySummary: true,
};
type Answer = { data: unknown } | { error: { code: string; httpStatus: number; message: string } };

function standIn(answer: (path: string, input: unknown) => Answer) {
  const asked: Array<{ path: string; input: unknown }> = [];
  const fetch = async (url: RequestInfo | URL, init?: RequestInit) => {
    const address = new URL(String(url));
    const paths = decodeURIComponent(address.pathname.replace(/^\/trpc\//, "")).split(",");
    const raw = init?.body
      ? JSON.parse(String(init.body))
      : JSON.parse(address.searchParams.get("input") ?? "{}");
    const body = paths.map((path, i) => {
      const input = raw[i] === undefined ? undefined : superjson.deserialize(raw[i]);
      asked.push({ path, input });
      const result = answer(path, input);
      if ("error" in result) {
        const { code, httpStatus, message } = result.error;
        return { error: superjson.serialize({ message, code: -32603, data: { code, httpStatus } }) };
      }
      return { result: { data: superjson.serialize(result.data) } };
    });
    const failed = body.some((entry) => "error" in entry);
    return new Response(JSON.stringify(body), {
      status: failed ? 500 : 200,
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

function render(server: ReturnType<typeof standIn>) {
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
          <NotificationsSection />
        </TRPCProvider>
      </QueryClientProvider>,
    ),
  );
  return { text: () => container?.textContent ?? "" };
}

function switchNamed(name: string, group: string): HTMLInputElement {
  const fieldset = [...(container?.querySelectorAll("fieldset") ?? [])].find(
    (f) => f.querySelector("legend")?.textContent === group,
  );
  const label = [...(fieldset?.querySelectorAll("label") ?? [])].find((l) => l.textContent?.includes(name));
  const input = label?.querySelector("input");
  if (!input) throw new Error(`no switch ${name} in ${group}`);
  return input;
}

describe("Account › Notifications", () => {
  it("says push is off on the server, keeps the email switches, and saves one with a clear result", async () => {
    let held = { ...preferences };
    const server = standIn((path, input) => {
      if (path === "notifications.config")
        return { data: { enabled: false, publicKey: null, coldStartSeconds: 30 } };
      if (path === "notifications.updatePreferences") {
        held = { ...held, ...(input as Partial<Preferences>) };
        return { data: held };
      }
      return { data: held };
    });
    const page = render(server);
    expect(page.text()).toContain("Loading notification settings");
    await until(
      () => page.text().includes("Push notifications are off on this server"),
      "the push-off notice",
    );
    await until(() => Boolean(container?.querySelector("fieldset")), "the switches");
    expect(page.text()).not.toContain("Turn on notifications on this device");
    expect(switchNamed("Incoming call", "Push notifications").disabled).toBe(true);

    const summary = switchNamed("Daily summary", "Emails");
    expect(summary.checked).toBe(true);
    act(() => summary.click());
    await until(() => page.text().includes("Saved."), "the saved message");
    expect(server.asked.filter((a) => a.path === "notifications.updatePreferences")).toEqual([
      { path: "notifications.updatePreferences", input: { emailDailySummary: false } },
    ]);
    expect(page.text()).toContain("Email for daily summary: off. Saved.");
    expect(switchNamed("Daily summary", "Emails").checked).toBe(false);
  });

  it("a save that fails says so, and the switch shows what the server still holds", async () => {
    const server = standIn((path) => {
      if (path === "notifications.config")
        return { data: { enabled: false, publicKey: null, coldStartSeconds: 30 } };
      if (path === "notifications.updatePreferences") {
        return {
          error: { code: "INTERNAL_SERVER_ERROR", httpStatus: 500, message: "Something went wrong." },
        };
      }
      return { data: preferences };
    });
    const page = render(server);
    await until(() => Boolean(container?.querySelector("fieldset")), "the switches");
    act(() => switchNamed("Missed call", "Emails").click());
    await until(() => page.text().includes("We could not save that choice."), "the error");
    await until(() => switchNamed("Missed call", "Emails").checked, "the switch back on");
  });

  it("with push on, lists the devices, says how long a ring waits, and explains why this browser can't subscribe", async () => {
    const server = standIn((path) => {
      if (path === "notifications.config") {
        return { data: { enabled: true, publicKey: "BExample", coldStartSeconds: 30 } };
      }
      if (path === "notifications.devices") {
        return {
          data: [
            {
              id: "6f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f60",
              label: "Chrome on Android",
              createdAt: "2026-03-01T10:00:00.000Z",
              lastActiveAt: "2026-03-02T10:00:00.000Z",
              endpointHash: "ab".repeat(32),
            },
          ],
        };
      }
      return { data: preferences };
    });
    const page = render(server);
    await until(() => page.text().includes("Chrome on Android"), "the device list");
    expect(page.text()).toContain("up to 30 seconds");
    // The test page is not a secure context (nor has it PushManager): why push can't work is said,
    // and there is no button to press.
    expect(page.text()).toContain("Notifications need the portal to be opened over HTTPS.");
    expect(page.text()).not.toContain("Turn on notifications on this device");
    expect(container?.querySelector('button[aria-label="Remove Chrome on Android"]')).not.toBeNull();
    expect(page.text()).toContain("Send a test notification");
  });

  it("with no device yet, says so", async () => {
    const server = standIn((path) => {
      if (path === "notifications.config")
        return { data: { enabled: true, publicKey: "BExample", coldStartSeconds: 45 } };
      if (path === "notifications.devices") return { data: [] };
      return { data: preferences };
    });
    const page = render(server);
    await until(() => page.text().includes("No device gets notifications yet."), "the empty state");
    expect(page.text()).toContain("up to 45 seconds");
  });
});

describe("the test notification's result", () => {
  it("counts devices, and those found gone", () => {
    expect(testResult({ sent: 1, removed: 0 })).toBe("Test notification sent to 1 device.");
    expect(testResult({ sent: 2, removed: 1 })).toBe(
      "Test notification sent to 2 devices. 1 device no longer existed and was removed.",
    );
    expect(testResult({ sent: 0, removed: 0 })).toBe("No device got the test notification.");
  });
});
