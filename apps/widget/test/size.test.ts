import { describe, expect, it } from "vitest";
import { type BuiltFile as Built, budgets, buildWidget, widgetLanguages } from "../build.mjs";

describe("bundle size budgets (zlib level 9)", () => {
  it("keeps the loader within 3 KB and the call UI within 15 KB gzipped", async () => {
    const files = (await buildWidget()) as Built[];
    const sizes = Object.fromEntries(files.map((f) => [f.name, f.gzip]));
    for (const f of files) {
      const budget = budgets[f.name];
      console.log(
        `${f.name}: ${f.bytes} B minified, ${f.gzip} B gzip (${budget ? `budget ${budget} B` : "no budget"})`,
      );
    }
    expect(sizes["widget.js"]).toBeLessThanOrEqual(3072);
    expect(sizes["widget-call.js"]).toBeLessThanOrEqual(15360);
  });

  it("keeps the Twilio Voice SDK out of the call chunk: it is its own module, imported only for Twilio calls", async () => {
    const files = (await buildWidget()) as Built[];
    const text = (name: string) =>
      Buffer.from(files.find((f) => f.name === name)?.code ?? []).toString("utf8");
    const call = text("widget-call.js");
    const twilio = text("widget-twilio.js");
    expect(twilio).toMatch(/twilio\.com/);
    expect(twilio).toMatch(/export\{.*twilioCall/);
    expect(call).not.toMatch(/twilio\.com|loglevel/);
    // The call chunk finds it next to itself.
    expect(call).toContain('new URL("widget-twilio.js",import.meta.url)');
  });

  it("keeps the words in one chunk per language, out of the loader and the call chunk", async () => {
    const files = (await buildWidget()) as Built[];
    const text = (name: string) =>
      Buffer.from(files.find((f) => f.name === name)?.code ?? []).toString("utf8");
    const gzip = (name: string) => files.find((f) => f.name === name)?.gzip ?? Infinity;
    const perLanguage: string[] = [];
    for (const code of widgetLanguages()) {
      const words = gzip(`widget-${code}.js`);
      // A language chunk is its table and the closed line: well under the loader's size.
      expect(words, code).toBeLessThanOrEqual(3072);
      perLanguage.push(
        `${code}: words ${words} B, loader + call chunk + words ${gzip("widget.js") + gzip("widget-call.js") + words} B`,
      );
    }
    console.log(`per language (gzip): ${perLanguage.join("; ")}`);
    for (const name of ["widget.js", "widget-call.js"]) {
      const code = text(name);
      for (const words of [
        "Request a callback",
        "Pedir que me llamen",
        "Closed — back",
        "Cerrado",
        "Ringing…",
      ]) {
        expect(code, `${name} holds "${words}"`).not.toContain(words);
      }
    }
    expect(text("widget-es.js")).toContain("Pedir que me llamen");
    expect(text("widget-es.js")).not.toContain("Request a callback");
  });

  it("builds deterministically", async () => {
    const [a, b] = [(await buildWidget()) as Built[], (await buildWidget()) as Built[]];
    expect(a.map((f) => Buffer.from(f.code).toString("base64"))).toEqual(
      b.map((f) => Buffer.from(f.code).toString("base64")),
    );
  });

  it("imports no framework and no server code into the bundles", async () => {
    const files = (await buildWidget()) as Built[];
    for (const f of files) {
      const code = Buffer.from(f.code).toString("utf8");
      expect(code).not.toMatch(/\bReact\b|react-dom|superjson|drizzle|\bzod\b|node:/);
    }
  });
});
