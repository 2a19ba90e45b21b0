import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARNESS_TIMEOUT_MS, type Harness, rawTrpc, startHarness } from "./harness";

/** A body of `depth` nested arrays, or objects, as the `json` of superjson's envelope. */
function nested(depth: number, kind: "array" | "object") {
  const inner =
    kind === "array"
      ? `${"[".repeat(depth)}${"]".repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
  return `{"json":${inner}}`;
}

describe("deeply nested request bodies", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => h?.close(), HARNESS_TIMEOUT_MS);

  for (const kind of ["array", "object"] as const) {
    it(`answers 400 with a plain message for ${kind}s nested 100,000 deep`, async () => {
      const res = await rawTrpc(h, "contact.send", { rawBody: nested(100_000, kind) });
      expect(res.status).toBe(400);
      expect(res.json.error.json.message).toBe("The request is too deeply nested.");
      expect(res.text).not.toMatch(/call stack/i);
    });
  }

  it("refuses it inside a batch too", async () => {
    const res = await fetch(`${h.url}/trpc/contact.send,contact.send?batch=1`, {
      method: "POST",
      headers: { origin: h.portalOrigin, "content-type": "application/json" },
      body: `{"0":${nested(50_000, "array")},"1":${nested(50_000, "object")}}`,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Array<{ error: { json: { message: string } } }>;
    expect(body.map((entry) => entry.error.json.message)).toEqual([
      "The request is too deeply nested.",
      "The request is too deeply nested.",
    ]);
  });

  it("still reads an input nested a few levels (field errors, not a nesting refusal)", async () => {
    const res = await rawTrpc(h, "contact.send", { rawBody: nested(10, "object") });
    expect(res.status).toBe(400);
    expect(res.json.error.json.message).toBe("Some fields need your attention.");
  });
});
