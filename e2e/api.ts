import type { APIRequestContext } from "@playwright/test";
import { type E2eServer, expect, signUpThroughApi, uniqueEmail } from "./fixtures";

/** tRPC over HTTP as the portal sends it (superjson envelope, the portal's Origin, session cookie). */
export async function trpc<T = unknown>(api: APIRequestContext, path: string, input?: unknown): Promise<T> {
  const res = await api.post(`/trpc/${path}`, { data: { json: input } });
  const body = await res.json();
  expect(res.ok(), `${path}: ${JSON.stringify(body)}`).toBe(true);
  return body.result.data.json as T;
}

export async function trpcQuery<T = unknown>(
  api: APIRequestContext,
  path: string,
  input?: unknown,
): Promise<T> {
  const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
  const res = await api.get(`/trpc/${path}${query}`);
  const body = await res.json();
  expect(res.ok(), `${path}: ${JSON.stringify(body)}`).toBe(true);
  return body.result.data.json as T;
}

/** Signs up and confirms an account through the API; `api` then holds its session. */
export async function confirmedAccountApi(
  api: APIRequestContext,
  server: E2eServer,
  prefix: string,
  extra: { captchaToken?: string } = {},
) {
  const email = uniqueEmail(prefix);
  const link = await signUpThroughApi(api, server, email, extra);
  await trpc(api, "auth.verifyEmail", { token: new URL(link).searchParams.get("token") });
  return { email };
}

export const alwaysOpen = Array.from({ length: 7 }, () => [{ start: 0, end: 1440 }]);

export type ButtonFields = {
  name: string;
  label: string;
  enabled: boolean;
  style: { background: string; text: string; size: string; shape: string; position: string; icon: string };
  phoneNumber: string | null;
  ringPortal: boolean;
  timezone: string;
  hours: Array<Array<{ start: number; end: number }>>;
  holidays: string[];
  closedBehavior: "hide" | "message" | "callback";
  /** The dialog's colors; light when left out. */
  theme?: "light" | "dark" | "auto";
  allowedDomains: string[];
};

/** An always-open button that rings the portal, allowed on the test site. */
export const buttonFields = (overrides: Partial<ButtonFields> = {}): ButtonFields => ({
  name: "Main site",
  label: "Call Acme",
  enabled: true,
  style: {
    background: "#0f766e",
    text: "#ffffff",
    size: "large",
    shape: "pill",
    position: "bottom-left",
    icon: "phone",
  },
  phoneNumber: null,
  ringPortal: true,
  timezone: "America/New_York",
  hours: alwaysOpen,
  holidays: [],
  closedBehavior: "message",
  // localhost (any port) is allowed outside production; 127.0.0.1 is not in the list.
  allowedDomains: ["acme-plumbing.com"],
  ...overrides,
});

/**
 * Makes the member of `api`'s session reachable, as an open portal tab does: available, with a phone
 * panel's live stream held (from this process) until the returned function closes it.
 */
export async function holdPhonePanel(api: APIRequestContext, server: E2eServer): Promise<() => void> {
  await trpc(api, "phone.setAvailable", { available: true });
  const cookie = (await api.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const abort = new AbortController();
  const res = await fetch(`${server.url}/trpc/phone.events`, {
    headers: { cookie, origin: server.url, accept: "text/event-stream" },
    signal: abort.signal,
  });
  expect(res.status, "the phone panel's stream").toBe(200);
  const reader = res.body?.getReader();
  void (async () => {
    try {
      while (reader && !(await reader.read()).done);
    } catch {
      // Closed.
    }
  })();
  await expect
    .poll(async () => (await trpcQuery<{ reachable: boolean }>(api, "phone.availability")).reachable)
    .toBe(true);
  return () => abort.abort();
}
