import { availableBackends, createTestDb } from "@cac/db/testing";
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, isFormulaLike } from "../src/services/call-log/csv";
import { csvText } from "../src/services/call-log/export";

describe("CSV formula neutralization", () => {
  it("csvCell quotes only what needs quoting and prefixes formula starts", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell("a\r\nb")).toBe('"a\r\nb"');
    expect(csvCell("=1+1")).toBe("'=1+1");
    expect(csvCell("+1")).toBe("'+1");
    expect(csvCell("-1")).toBe("'-1");
    expect(csvCell("@x")).toBe("'@x");
    expect(csvCell("=a,b")).toBe('"\'=a,b"');
    expect(csvCell("2001:db8::1")).toBe("2001:db8::1");
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(null)).toBe("");
  });

  it.each([
    ["=1+1", "'=1+1"],
    [" =1+1", "' =1+1"],
    ["\n=1+1", '"\'\n=1+1"'],
    ["\u00a0\u3000@SUM(A1)", "'\u00a0\u3000@SUM(A1)"],
    ["\u200b-2", "'\u200b-2"],
    ["\uff1d1+1", "'\uff1d1+1"],
    ["\uff0b1", "'\uff0b1"],
    ["\uff0d1", "'\uff0d1"],
    ["\uff20x", "'\uff20x"],
    ["  \uff1dHYPERLINK(1)", "'  \uff1dHYPERLINK(1)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", '"\'\rcmd"'],
  ])("prefixes %j", (value, expected) => {
    expect(isFormulaLike(value)).toBe(true);
    expect(csvCell(value)).toBe(expected);
  });

  it.each(["plain", " plain", "", "   ", "a=1", "2001:db8::1", "https://shop.test/?q=-1"])(
    "leaves %j as it is",
    (value) => {
      expect(isFormulaLike(value)).toBe(false);
    },
  );

  // The export's rows are written by Postgres; its cells must be exactly csvCell's, on both backends.
  const alphabet = fc.constantFrom(
    ..."=+-@\uff1d\uff0b\uff0d\uff20 \t\n\r\u000b\u000c\u00a0\u3000\u200b\ufeff,\"'aZ1.:/é",
  );
  for (const backend of availableBackends) {
    it(`writes the same cell in SQL as csvCell on ${backend}`, async () => {
      const handle = await createTestDb({ backend });
      try {
        await fc.assert(
          fc.asyncProperty(fc.string({ unit: alphabet, maxLength: 8 }), async (value) => {
            // Sent as bytes and read back after a marker: PGlite's text decoding drops a leading BOM.
            const text = sql`convert_from(decode(${Buffer.from(value).toString("hex")}, 'hex'), 'UTF8')`;
            const result = await handle.db.execute(sql`select '|' || ${csvText(text)} as cell`);
            const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<{
              cell: string;
            }>;
            expect(rows[0]?.cell).toBe(`|${csvCell(value)}`);
          }),
          { numRuns: 300 },
        );
      } finally {
        await handle.close();
      }
    });
  }
});
