import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedText, hoursStatus } from "../src/hours";
import en from "../src/i18n/en";
import es from "../src/i18n/es";
import { visitorInNewYork } from "./helpers";

// The visitor's clock for these cases: New York (EST in early March 2026, EDT from March 8).
visitorInNewYork({ beforeAll, afterAll });

const at = (iso: string) => Date.parse(iso);
// Monday 2 March 2026, 9:00–17:00 New York, then Wednesday (Tuesday is a holiday), then an open-ended window.
const windows = [
  { opens: "2026-03-02T14:00:00.000Z", closes: "2026-03-02T22:00:00.000Z" },
  { opens: "2026-03-04T14:00:00.000Z", closes: "2026-03-04T22:00:00.000Z" },
  { opens: "2026-03-12T13:00:00.000Z", closes: null },
];

describe("hoursStatus", () => {
  it("is open inside a window, with the closing as the next boundary", () => {
    expect(hoursStatus(windows, at("2026-03-02T15:00:00Z"))).toEqual({
      open: true,
      next: at("2026-03-04T14:00:00Z"),
      boundary: at("2026-03-02T22:00:00Z"),
    });
  });

  it("opens at `opens` (inclusive) and closes at `closes` (exclusive)", () => {
    expect(hoursStatus(windows, at("2026-03-02T14:00:00Z")).open).toBe(true);
    expect(hoursStatus(windows, at("2026-03-02T13:59:59.999Z")).open).toBe(false);
    expect(hoursStatus(windows, at("2026-03-02T22:00:00Z")).open).toBe(false);
    expect(hoursStatus(windows, at("2026-03-02T21:59:59.999Z")).open).toBe(true);
  });

  it("is closed between windows, with the next opening as both next and boundary", () => {
    const s = hoursStatus(windows, at("2026-03-03T12:00:00Z"));
    expect(s).toEqual({
      open: false,
      next: at("2026-03-04T14:00:00Z"),
      boundary: at("2026-03-04T14:00:00Z"),
    });
  });

  it("treats a null `closes` as open for good, with no boundary after it", () => {
    expect(hoursStatus(windows, at("2026-03-20T00:00:00Z"))).toEqual({
      open: true,
      next: null,
      boundary: null,
    });
  });

  it("is closed with nothing to wait for when there are no windows", () => {
    expect(hoursStatus([], at("2026-03-02T15:00:00Z"))).toEqual({ open: false, next: null, boundary: null });
  });

  it("does not depend on the order of the windows", () => {
    const reversed = [...windows].reverse();
    for (const iso of ["2026-03-01T00:00:00Z", "2026-03-02T15:00:00Z", "2026-03-03T00:00:00Z"]) {
      expect(hoursStatus(reversed, at(iso))).toEqual(hoursStatus(windows, at(iso)));
    }
  });

  it("handles back-to-back windows (an overnight interval split at midnight) as one open stretch", () => {
    const split = [
      { opens: "2026-03-02T03:00:00.000Z", closes: "2026-03-02T05:00:00.000Z" },
      { opens: "2026-03-02T05:00:00.000Z", closes: "2026-03-02T07:00:00.000Z" },
    ];
    expect(hoursStatus(split, at("2026-03-02T05:00:00Z")).open).toBe(true);
    expect(hoursStatus(split, at("2026-03-02T04:59:59Z")).boundary).toBe(at("2026-03-02T05:00:00Z"));
  });
});

describe("closedText (visitor in New York)", () => {
  const now = at("2026-03-02T12:00:00Z"); // Monday 7:00 AM EST

  it("says 'at' for an opening later today", () => {
    expect(closedText(at("2026-03-02T14:00:00Z"), now, en, "en-US")).toBe("Closed — back at 9:00 AM");
  });

  it("says 'tomorrow' for an opening the next calendar day, even less than 24 h away", () => {
    expect(closedText(at("2026-03-03T13:30:00Z"), at("2026-03-02T23:00:00Z"), en, "en-US")).toBe(
      "Closed — back tomorrow 8:30 AM",
    );
  });

  it("names the weekday within the week", () => {
    expect(closedText(at("2026-03-04T14:00:00Z"), now, en, "en-US")).toBe("Closed — back Wednesday 9:00 AM");
  });

  it("gives the date a week or more away", () => {
    expect(closedText(at("2026-03-12T13:00:00Z"), now, en, "en-US")).toBe(
      "Closed — back Thu, Mar 12 9:00 AM",
    );
  });

  it("shows the visitor's local time across a DST change (EDT from 8 March)", () => {
    // Saturday 7 March, 23:00 EST; Monday 9 March 13:00 UTC is 9:00 AM EDT.
    expect(closedText(at("2026-03-09T13:00:00Z"), at("2026-03-08T04:00:00Z"), en, "en-US")).toBe(
      "Closed — back Monday 9:00 AM",
    );
  });

  it("follows the visitor's locale for the clock (24 h in en-GB)", () => {
    expect(closedText(at("2026-03-04T14:00:00Z"), now, en, "en-GB")).toBe("Closed — back Wednesday 9:00");
  });

  it("says plainly 'Closed for now' when no opening is coming, promising no return", () => {
    expect(closedText(null, now, en)).toBe("Closed for now");
  });

  it("writes the weekday in English for an English widget, whatever the visitor's locale", () => {
    expect(closedText(at("2026-03-04T14:00:00Z"), now, en, "es-US")).toBe(
      "Closed — back Wednesday 9:00 a.m.",
    );
  });
});

describe("closedText in Spanish (visitor in New York)", () => {
  const now = at("2026-03-02T12:00:00Z"); // lunes 7:00 a. m. EST

  it("today, tomorrow, a weekday and a date, with Intl's Spanish names and clock", () => {
    expect(closedText(at("2026-03-02T14:00:00Z"), now, es, "es-US")).toBe("Cerrado — abrimos hoy, 9:00 a.m.");
    expect(closedText(at("2026-03-03T13:30:00Z"), now, es, "es-US")).toBe(
      "Cerrado — abrimos mañana, 8:30 a.m.",
    );
    expect(closedText(at("2026-03-04T14:00:00Z"), now, es, "es-US")).toBe(
      "Cerrado — abrimos el miércoles, 9:00 a.m.",
    );
    expect(closedText(at("2026-03-12T13:00:00Z"), now, es, "es-US")).toBe(
      "Cerrado — abrimos el jue, 12 de mar, 9:00 a.m.",
    );
  });

  it("names days in Spanish even when the visitor's browser is English (a fixed Spanish button)", () => {
    expect(closedText(at("2026-03-04T14:00:00Z"), now, es, "en-US")).toBe(
      "Cerrado — abrimos el miércoles, 9:00 AM",
    );
  });

  it("says 'Cerrado por ahora' when no opening is coming", () => {
    expect(closedText(null, now, es)).toBe("Cerrado por ahora");
  });
});
