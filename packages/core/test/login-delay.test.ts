import { describe, expect, it } from "vitest";
import { loginDelayMs } from "../src/limits";

describe("login slowdown", () => {
  it("waits longer for each attempt past the account's threshold, doubling up to a cap", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(loginDelayMs)).toEqual([
      0, 1000, 2000, 4000, 8000, 16_000, 16_000, 16_000,
    ]);
  });
});
