import { describe, expect, it } from "vitest";
import { stripeConnection } from "../src/adapters/stripe-billing";
import { loadConfig } from "../src/config";
import { configProblems } from "./config-problems";
import { STRIPE_TEST_ENV } from "./stripe-stand-in";

describe("Stripe settings", () => {
  it("billing is off when nothing is set", () => {
    expect(loadConfig({}).stripe).toBeUndefined();
    expect(loadConfig({ STRIPE_SECRET_KEY: "" }).stripe).toBeUndefined();
  });

  it("reads the key, webhook secret, both prices and the optional API URL", () => {
    const config = loadConfig({ ...STRIPE_TEST_ENV, STRIPE_API_URL: "http://127.0.0.1:12111" });
    expect(config.stripe).toEqual({
      secretKey: STRIPE_TEST_ENV.STRIPE_SECRET_KEY,
      webhookSecret: STRIPE_TEST_ENV.STRIPE_WEBHOOK_SECRET,
      prices: { starter: STRIPE_TEST_ENV.STRIPE_PRICE_STARTER, pro: STRIPE_TEST_ENV.STRIPE_PRICE_PRO },
      apiUrl: new URL("http://127.0.0.1:12111"),
    });
    expect(loadConfig({ ...STRIPE_TEST_ENV }).stripe?.apiUrl).toBeUndefined();
  });

  it("STRIPE_SECRET_KEY requires the webhook secret and both prices, naming each one missing", () => {
    expect(configProblems({ STRIPE_SECRET_KEY: "sk_test_abc" })).toEqual([
      "STRIPE_WEBHOOK_SECRET, STRIPE_PRICE_STARTER, STRIPE_PRICE_PRO: are required when STRIPE_SECRET_KEY is set",
    ]);
    expect(configProblems({ ...STRIPE_TEST_ENV, STRIPE_PRICE_PRO: "" })).toEqual([
      "STRIPE_PRICE_PRO: is required when STRIPE_SECRET_KEY is set",
    ]);
  });

  it("the other Stripe settings without STRIPE_SECRET_KEY are refused rather than silently ignored", () => {
    expect(
      configProblems({ STRIPE_WEBHOOK_SECRET: "whsec_abc", STRIPE_API_URL: "http://127.0.0.1:1" }),
    ).toEqual([
      "STRIPE_SECRET_KEY: is required when STRIPE_WEBHOOK_SECRET, STRIPE_API_URL are set (billing stays off without it)",
    ]);
  });

  it("checks the shape of each value and names the variable", () => {
    const found = configProblems({
      STRIPE_SECRET_KEY: "pk_test_publishable",
      STRIPE_WEBHOOK_SECRET: "secret",
      STRIPE_PRICE_STARTER: "prod_123",
      STRIPE_PRICE_PRO: "price_pro",
      STRIPE_API_URL: "ftp://stripe.test",
    });
    expect(found).toEqual([
      expect.stringMatching(/^STRIPE_SECRET_KEY: must be a Stripe secret key/),
      expect.stringMatching(/^STRIPE_WEBHOOK_SECRET: must be the webhook endpoint's signing secret/),
      expect.stringMatching(/^STRIPE_PRICE_STARTER: must be a Stripe price id/),
      expect.stringMatching(/^STRIPE_API_URL: must be an http\(s\) URL/),
    ]);
    expect(
      configProblems({ ...STRIPE_TEST_ENV, STRIPE_PRICE_PRO: STRIPE_TEST_ENV.STRIPE_PRICE_STARTER }),
    ).toEqual(["STRIPE_PRICE_PRO: must differ from STRIPE_PRICE_STARTER (each plan has its own price)"]);
  });

  it("STRIPE_API_URL becomes the SDK's host, port and protocol", () => {
    expect(stripeConnection(undefined)).toEqual({});
    expect(stripeConnection(new URL("http://127.0.0.1:12111"))).toEqual({
      host: "127.0.0.1",
      port: "12111",
      protocol: "http",
    });
    expect(stripeConnection(new URL("https://stripe-mock.internal"))).toEqual({
      host: "stripe-mock.internal",
      port: "443",
      protocol: "https",
    });
  });
});
