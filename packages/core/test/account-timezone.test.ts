import { describe, expect, it } from "vitest";
import { accountTimezoneSchema, canonicalTimeZone } from "../src/domain/account-timezone";

describe("the account's timezone", () => {
  it("accepts the runtime's zones and UTC, by their canonical name", () => {
    expect(canonicalTimeZone("America/Chicago")).toBe("America/Chicago");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
    // An alias a browser may report resolves to the name this runtime lists.
    expect(canonicalTimeZone("US/Eastern")).toBe("America/New_York");
    expect(Intl.supportedValuesOf("timeZone")).toContain(canonicalTimeZone("Asia/Kolkata"));
  });

  it("refuses what is not a zone, with a message", () => {
    expect(canonicalTimeZone("Mars/Olympus_Mons")).toBeNull();
    expect(canonicalTimeZone("")).toBeNull();
    const parsed = accountTimezoneSchema.safeParse("Not/A_Zone");
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe("Choose a timezone from the list, like America/Chicago.");
    expect(accountTimezoneSchema.parse(" Europe/Paris ")).toBe("Europe/Paris");
  });
});
