import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config";
import { defaultPrivacyPolicyFile, loadPrivacyPage } from "../src/routes/privacy";
import { HARNESS_TIMEOUT_MS, type Harness, startHarness } from "./harness";

async function getPrivacy(h: Harness) {
  const response = await fetch(`${h.url}/privacy`, { headers: { accept: "text/html" } });
  return { status: response.status, headers: response.headers, html: await response.text() };
}

describe("/privacy with the shipped policy", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  it("renders the shipped markdown as an accessible page with the portal's CSP", async () => {
    const { status, headers, html } = await getPrivacy(h);
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^text\/html/);
    expect(headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(html).toContain('<html lang="en">');
    expect(html).toContain("<title>Privacy policy · Click &amp; Call</title>");
    expect(html).toMatch(/<main id="policy"/);
    expect(html).toContain("<h1>Privacy policy</h1>");
    // What the product keeps, in its own words (a table and mail links render as HTML).
    expect(html).toContain("We never record or store the audio of any call.");
    expect(html).toContain('<a href="mailto:privacy@clickandcall.com">');
    expect(html).toMatch(/<table>[\s\S]*PostHog/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain("Vercel");
  });

  it("is not swallowed by the portal's fallback (it is not the SPA's index.html)", async () => {
    const { html } = await getPrivacy(h);
    expect(html).not.toContain('id="root"');
  });
});

describe("/privacy with PRIVACY_POLICY_FILE", () => {
  let h: Harness;
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "cac-privacy-"));
    file = join(dir, "policy.md");
    writeFileSync(
      file,
      [
        "# Acme Calls privacy notice",
        "",
        "We keep *very little*. <script>alert('owned')</script>",
        "",
        '<img src=x onerror="alert(1)">',
        "",
        "[a bad link](javascript:alert(1)) and [a good one](https://example.com/more).",
      ].join("\n"),
    );
    h = await startHarness({ env: { PRIVACY_POLICY_FILE: file } });
  }, HARNESS_TIMEOUT_MS);
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  }, HARNESS_TIMEOUT_MS);

  it("renders the configured file, titled by its heading", async () => {
    const { status, html } = await getPrivacy(h);
    expect(status).toBe(200);
    expect(html).toContain("<title>Acme Calls privacy notice · Click &amp; Call</title>");
    expect(html).toContain("<em>very little</em>");
    expect(html).not.toContain("never record or store the audio");
  });

  it("escapes raw HTML and drops script links instead of running them", async () => {
    const { html } = await getPrivacy(h);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain("&#60;script&#62;alert('owned')&#60;/script&#62;");
    expect(html).toContain("<p>&#60;img src=x onerror=&#34;alert(1)&#34;&#62;</p>");
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain("a bad link");
    expect(html).toContain('<a href="https://example.com/more">a good one</a>');
  });

  it("shows an edited file once its modification time changes", async () => {
    writeFileSync(file, "# Acme Calls privacy notice\n\nRevised: we keep even less.\n");
    const later = new Date(Date.now() + 5_000);
    utimesSync(file, later, later);
    const { html } = await getPrivacy(h);
    expect(html).toContain("Revised: we keep even less.");
  });

  it("keeps serving the last good copy if the file disappears while running", async () => {
    const before = (await getPrivacy(h)).html;
    rmSync(file);
    const after = await getPrivacy(h);
    expect(after.status).toBe(200);
    expect(after.html).toBe(before);
  });
});

describe("a missing privacy policy file", () => {
  it("stops startup with a message naming PRIVACY_POLICY_FILE", () => {
    const missing = join(tmpdir(), "cac-no-such-dir", "policy.md");
    let error: unknown;
    try {
      loadConfig({ PRIVACY_POLICY_FILE: missing });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join("\n")).toMatch(/^PRIVACY_POLICY_FILE: .*no file at/m);
    expect((error as ConfigError).message).toContain(missing);
  });

  it("buildApp refuses an unreadable file too (named), before opening anything", () => {
    const dir = mkdtempSync(join(tmpdir(), "cac-privacy-dir-"));
    try {
      // A directory passes an existence check but cannot be read as a file.
      expect(() => loadPrivacyPage(dir)).toThrow(/PRIVACY_POLICY_FILE: cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the shipped default exists and is the one used when nothing is configured", () => {
    expect(readFileSync(defaultPrivacyPolicyFile, "utf8")).toMatch(/^# Privacy policy/);
    expect(loadPrivacyPage(undefined).file).toBe(defaultPrivacyPolicyFile);
  });
});
