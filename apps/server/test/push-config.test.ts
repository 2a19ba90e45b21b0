/**
 * Web Push settings: the three VAPID variables together or none, each checked for its shape, and
 * the mode the server reports. The private key never appears in a problem or in the settings' modes.
 */
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config";
import { configProblems } from "./config-problems";
import { vapidKeys } from "./push-service-stand-in";

const keys = vapidKeys();
const full = {
  VAPID_PUBLIC_KEY: keys.publicKey,
  VAPID_PRIVATE_KEY: keys.privateKey,
  VAPID_SUBJECT: "mailto:ops@example.com",
};

describe("VAPID settings", () => {
  it("turns push on with all three, and leaves it off with none", () => {
    expect(loadConfig(full).push).toEqual({
      publicKey: keys.publicKey,
      privateKey: keys.privateKey,
      subject: "mailto:ops@example.com",
    });
    expect(loadConfig({ ...full, VAPID_SUBJECT: "https://ops.example.com/contact" }).push?.subject).toBe(
      "https://ops.example.com/contact",
    );
    expect(loadConfig({}).push).toBeUndefined();
    // Empty values (FOO= in a .env file) count as unset.
    expect(
      loadConfig({ VAPID_PUBLIC_KEY: "", VAPID_PRIVATE_KEY: "", VAPID_SUBJECT: "" }).push,
    ).toBeUndefined();
  });

  it("names the missing ones when only some are set", () => {
    const problems = configProblems({ VAPID_PUBLIC_KEY: keys.publicKey });
    expect(problems).toEqual([
      "VAPID_PRIVATE_KEY, VAPID_SUBJECT: are required when any VAPID_* setting is set (Web Push needs all three: VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY, VAPID_SUBJECT; unset them all to turn push off)",
    ]);
    expect(configProblems({ ...full, VAPID_SUBJECT: undefined })[0]).toMatch(/^VAPID_SUBJECT: is required/);
  });

  it("refuses keys and subjects of the wrong shape, without repeating the private key", () => {
    const secret = `${keys.privateKey.slice(0, 40)}!!!`;
    const problems = configProblems({
      VAPID_PUBLIC_KEY: keys.privateKey,
      VAPID_PRIVATE_KEY: secret,
      VAPID_SUBJECT: "ops@example.com",
    });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^VAPID_PUBLIC_KEY: must be a VAPID public key/);
    expect(problems[1]).toMatch(/^VAPID_PRIVATE_KEY: must be a VAPID private key/);
    expect(problems[2]).toMatch(/^VAPID_SUBJECT: must be a mailto: address or an https:\/\/ URL/);
    expect(problems.join("\n")).not.toContain(secret);
    expect(configProblems({ ...full, VAPID_SUBJECT: "http://ops.example.com" })[0]).toMatch(
      /^VAPID_SUBJECT:/,
    );
  });
});
