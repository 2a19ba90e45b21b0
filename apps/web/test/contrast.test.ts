import { describe, expect, it } from "vitest";
import {
  AA_NORMAL_TEXT,
  contrastRatio,
  formatRatio,
  normalizeHex,
  parseHex,
  relativeLuminance,
} from "../src/lib/contrast";

describe("contrast", () => {
  it("parses six- and three-digit hex colors", () => {
    expect(parseHex("#1d4ed8")).toEqual([0x1d, 0x4e, 0xd8]);
    expect(parseHex("FFF")).toEqual([255, 255, 255]);
    expect(parseHex(" #000000 ")).toEqual([0, 0, 0]);
    expect(parseHex("#12345")).toBeNull();
    expect(parseHex("red")).toBeNull();
    expect(normalizeHex("#ABC")).toBe("#aabbcc");
    expect(normalizeHex("nope")).toBeNull();
  });

  it("computes relative luminance at the ends of the scale", () => {
    expect(relativeLuminance([0, 0, 0])).toBe(0);
    expect(relativeLuminance([255, 255, 255])).toBeCloseTo(1, 10);
  });

  it("gives the WCAG ratios of known pairs", () => {
    expect(contrastRatio("#000000", "#ffffff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#ffffff", "#ffffff")).toBeCloseTo(1, 5);
    // Order does not matter.
    expect(contrastRatio("#1d4ed8", "#ffffff")).toBeCloseTo(contrastRatio("#ffffff", "#1d4ed8") ?? 0, 10);
    // #767676 on white is the classic lightest grey that passes AA (4.54:1); #777777 fails (4.48:1).
    expect(contrastRatio("#767676", "#ffffff")).toBeGreaterThanOrEqual(AA_NORMAL_TEXT);
    expect(contrastRatio("#777777", "#ffffff")).toBeLessThan(AA_NORMAL_TEXT);
    expect(contrastRatio("#zzzzzz", "#ffffff")).toBeNull();
  });

  it("formats ratios rounded down so a failing ratio never reads as passing", () => {
    expect(formatRatio(21)).toBe("21.00:1");
    expect(formatRatio(4.4999)).toBe("4.49:1");
    expect(formatRatio(contrastRatio("#777777", "#ffffff") ?? 0)).toBe("4.47:1");
  });
});
