import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness } from "./harness";

function connectSrc(csp: string | null): string[] {
  const directive = (csp ?? "").split(";").find((d) => d.trim().startsWith("connect-src"));
  return directive?.trim().split(/\s+/).slice(1) ?? [];
}

describe("analytics settings reach the portal", () => {
  let off: Harness;
  let on: Harness;
  beforeAll(async () => {
    off = await startHarness();
    on = await startHarness({
      env: { POSTHOG_KEY: "phc_settings_test", POSTHOG_HOST: "https://eu.i.posthog.example/ingest/" },
    });
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await off?.close();
    await on?.close();
  }, HARNESS_TIMEOUT_MS);

  it("off by default: no key in system.info, analytics 'off' in the modes, CSP connects to self only", async () => {
    const info = await off.client().trpc.system.info.query();
    expect(info.posthogKey).toBeNull();
    expect(info.posthogHost).toBeNull();
    expect(info.modes.analytics).toBe("off");
    const response = await fetch(`${off.url}/login`, { headers: { accept: "text/html" } });
    expect(connectSrc(response.headers.get("content-security-policy"))).toEqual(["'self'"]);
  });

  it("with POSTHOG_KEY: the key and host (path kept) for the portal, and the CSP allows that origin only", async () => {
    const info = await on.client().trpc.system.info.query();
    expect(info.posthogKey).toBe("phc_settings_test");
    expect(info.posthogHost).toBe("https://eu.i.posthog.example/ingest");
    expect(info.modes.analytics).toMatch(/PostHog \(anonymized/);
    const response = await fetch(`${on.url}/login`, { headers: { accept: "text/html" } });
    const csp = response.headers.get("content-security-policy");
    expect(connectSrc(csp)).toEqual(["'self'", "https://eu.i.posthog.example"]);
    // posthog-js is bundled with the portal and loads no scripts from PostHog.
    expect(csp).toMatch(/script-src 'self'(;|$)/);
  });
});
