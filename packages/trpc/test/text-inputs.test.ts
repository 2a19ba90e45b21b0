import { CONTROL_CHARACTERS_MESSAGE, noControlCharacters, noControlCharactersButCr } from "@cac/core/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { appRouter } from "../src/routers/app";

type AnySchema = z.core.$ZodType;
type Leaf = { where: string; schema: AnySchema };

/** The plain strings of a schema (formats such as uuid or email refuse control characters themselves). */
function stringLeaves(schema: AnySchema, where: string, found: Leaf[] = []): Leaf[] {
  // biome-ignore lint/suspicious/noExplicitAny: walking zod's definitions, whose shape depends on `type`
  const def = schema._zod.def as any;
  const visit = (inner: AnySchema | undefined, suffix = "") => {
    if (inner) stringLeaves(inner, `${where}${suffix}`, found);
  };
  switch (def.type) {
    case "string":
      if (!def.format) found.push({ where, schema });
      break;
    case "object":
      for (const [key, value] of Object.entries(def.shape)) visit(value as AnySchema, `.${key}`);
      break;
    case "pipe":
      visit(def.in);
      visit(def.out);
      break;
    case "array":
      visit(def.element, "[]");
      break;
    case "union":
      for (const option of def.options) visit(option);
      break;
    case "intersection":
      visit(def.left);
      visit(def.right);
      break;
    case "record":
      visit(def.keyType, "{key}");
      visit(def.valueType, "{}");
      break;
    case "tuple":
      for (const item of def.items) visit(item, "[]");
      visit(def.rest, "[]");
      break;
    case "lazy":
      visit(def.getter());
      break;
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "nonoptional":
    case "catch":
      visit(def.innerType);
      break;
    default:
      // Numbers, booleans, enums, literals, dates and transforms hold no free text.
      break;
  }
  return found;
}

// biome-ignore lint/suspicious/noExplicitAny: tRPC keeps each procedure's parsers in its _def
const procedures = Object.entries(appRouter._def.procedures as Record<string, any>);
const leaves = procedures.flatMap(([path, procedure]) =>
  (procedure._def.inputs as AnySchema[]).flatMap((input) => stringLeaves(input, path)),
);

/** Control characters the text inputs refuse: every C0 but tab and newline, DEL and C1. */
const control = fc
  .oneof(
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0x0b, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
  )
  .map((code) => String.fromCharCode(code));

function refusesForControl(schema: AnySchema, value: string) {
  const result = (schema as z.ZodType).safeParse(value);
  return !result.success && result.error.issues.some((issue) => issue.message === CONTROL_CHARACTERS_MESSAGE);
}

describe("every text input refuses control characters through the shared validator", () => {
  it("finds the text inputs of the procedures", () => {
    // A walk that found nothing would prove nothing: the router has dozens of text fields.
    expect(leaves.length).toBeGreaterThan(40);
    for (const path of ["auth.signup.name", "buttons.create.name", "widget.requestCallback.message"]) {
      expect(leaves.map((leaf) => leaf.where)).toContain(path);
    }
  });

  it("each plain string of each procedure's input carries the shared check", () => {
    const without = leaves
      .filter(({ schema }) => {
        const checks = (schema._zod.def.checks ?? []) as unknown[];
        return !checks.includes(noControlCharacters) && !checks.includes(noControlCharactersButCr);
      })
      .map((leaf) => leaf.where);
    expect(without).toEqual([]);
  });

  it("any control character anywhere is refused with the field message; tab and newline are not", () => {
    const sdp = leaves.filter((leaf) => leaf.where.endsWith(".sdp"));
    expect(sdp.length).toBeGreaterThan(0);
    fc.assert(
      fc.property(
        fc.constantFrom(...leaves),
        fc.string({ maxLength: 20 }),
        control,
        fc.string({ maxLength: 20 }),
        (leaf, before, char, after) => {
          const carriageReturnAllowed = leaf.where.endsWith(".sdp") && char === "\r";
          expect(refusesForControl(leaf.schema, `${before}${char}${after}`)).toBe(!carriageReturnAllowed);
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...leaves),
        fc.string({ unit: fc.constantFrom("a", "Z", "0", " ", "\t", "\n", "é", "-", "."), maxLength: 30 }),
        (leaf, value) => {
          expect(refusesForControl(leaf.schema, value)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
