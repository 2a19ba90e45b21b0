/**
 * The string tables: en.ts is the source, every other language has exactly its keys, none empty,
 * with the same placeholders; the widget's languages are the ones the server accepts.
 */
import { describe, expect, it } from "vitest";
import { widgetLanguages } from "../build.mjs";
import en from "../src/i18n/en";
import type { PublicButtonConfig } from "../src/types";

/** The server's languages (the config's fixed choices): a language added there fails typecheck here. */
const serverLanguages: Record<Exclude<NonNullable<PublicButtonConfig["language"]>, "auto">, true> = {
  en: true,
  es: true,
};

/** Every leaf of a table as "path.to.key" → value. */
function leaves(table: unknown, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(table as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === "object") for (const [k, v] of leaves(value, path)) out.set(k, v);
    else out.set(path, value);
  }
  return out;
}

const placeholders = (value: unknown) =>
  String(value)
    .match(/\{\w+\}/g)
    ?.sort() ?? [];
const tables = await Promise.all(
  widgetLanguages().map(async (code) => ({ code, table: (await import(`../src/i18n/${code}.ts`)).default })),
);

describe("string tables", () => {
  it("has English and Spanish, the languages the server accepts", () => {
    expect(widgetLanguages()).toEqual(Object.keys(serverLanguages).sort());
    expect(widgetLanguages()).toEqual(["en", "es"]);
  });

  for (const { code, table } of tables) {
    it(`${code}: every key of en exists in ${code} and vice versa, none empty, same placeholders`, () => {
      const source = leaves(en);
      const other = leaves(table);
      expect([...other.keys()].filter((key) => !source.has(key))).toEqual([]);
      expect([...source.keys()].filter((key) => !other.has(key))).toEqual([]);
      for (const [key, value] of other) {
        expect(typeof value, key).toBe("string");
        expect(String(value).trim(), key).not.toBe("");
        expect(placeholders(value), key).toEqual(placeholders(source.get(key)));
      }
      // Its code is its file's name: calls and callbacks report it.
      expect(String(table.locale).split("-")[0]).toBe(code);
    });
  }

  it("finds a missing, an extra and an empty key", () => {
    const source = leaves(en);
    const broken = leaves({ ...en, ringing: { live: "" }, extra: "x" });
    expect([...source.keys()].filter((key) => !broken.has(key))).toEqual(["ringing.title"]);
    expect([...broken.keys()].filter((key) => !source.has(key))).toEqual(["extra"]);
    expect(broken.get("ringing.live")).toBe("");
  });
});
