import { describe, expect, it } from "vitest";
import {
  domainPatternProblem,
  domainsOfWebsite,
  isOriginAllowed,
  normalizeDomainPattern,
} from "../src/domain/allowed-domains";

describe("allowed domains", () => {
  it("normalizes pasted URLs to hosts", () => {
    expect(normalizeDomainPattern(" https://Shop.Example.com:8443/path ")).toBe("shop.example.com");
    expect(normalizeDomainPattern("*.Example.com.")).toBe("*.example.com");
  });

  it("accepts hosts and leading wildcards, refuses the rest with a reason", () => {
    expect(domainPatternProblem("example.com")).toBeNull();
    expect(domainPatternProblem("*.example.com")).toBeNull();
    expect(domainPatternProblem("localhost")).toBeNull();
    expect(domainPatternProblem("shop.*.com")).toMatch(/wildcard/);
    expect(domainPatternProblem("*")).toMatch(/wildcard|not a domain/);
    expect(domainPatternProblem("exa mple.com")).toMatch(/not a domain/);
    expect(domainPatternProblem("com")).toMatch(/not a domain/);
  });

  it("matches exact hosts and subdomains of wildcards only", () => {
    const patterns = ["example.com", "*.shop.test"];
    expect(isOriginAllowed("https://example.com", patterns, true)).toBe(true);
    expect(isOriginAllowed("https://www.example.com", patterns, true)).toBe(false);
    expect(isOriginAllowed("https://a.shop.test", patterns, true)).toBe(true);
    expect(isOriginAllowed("https://a.b.shop.test", patterns, true)).toBe(true);
    expect(isOriginAllowed("https://shop.test", patterns, true)).toBe(false);
    expect(isOriginAllowed("https://evilshop.test", patterns, true)).toBe(false);
    expect(isOriginAllowed("https://example.com.evil.test", patterns, true)).toBe(false);
    expect(isOriginAllowed(undefined, patterns, true)).toBe(false);
    expect(isOriginAllowed("null", patterns, true)).toBe(false);
  });

  it("allows localhost outside production only, and plain http only for localhost in production", () => {
    expect(isOriginAllowed("http://localhost:5173", [], false)).toBe(true);
    expect(isOriginAllowed("http://localhost:5173", [], true)).toBe(false);
    expect(isOriginAllowed("http://example.com", ["example.com"], true)).toBe(false);
    expect(isOriginAllowed("http://example.com", ["example.com"], false)).toBe(true);
  });

  it("takes a new button's domains from the signup website, with and without www.", () => {
    expect(domainsOfWebsite("https://acme-plumbing.com/")).toEqual([
      "acme-plumbing.com",
      "www.acme-plumbing.com",
    ]);
    expect(domainsOfWebsite("https://WWW.Acme-Plumbing.com/contact?x=1")).toEqual([
      "acme-plumbing.com",
      "www.acme-plumbing.com",
    ]);
    expect(domainsOfWebsite("http://shop.acme.com:8080")).toEqual(["shop.acme.com", "www.shop.acme.com"]);
    expect(domainsOfWebsite("")).toEqual([]);
    expect(domainsOfWebsite(undefined)).toEqual([]);
    expect(domainsOfWebsite("http://localhost:3000")).toEqual([]);
    expect(domainsOfWebsite("not a site")).toEqual([]);
  });
});
