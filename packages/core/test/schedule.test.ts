import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  closedCallMessage,
  findHoursProblems,
  type Interval,
  instantsForWallTime,
  isOpenAt,
  nextClosing,
  nextOpening,
  openWindows,
  type Schedule,
  wallClock,
} from "../src/domain/schedule";

const h = (hh: number, mm = 0) => hh * 60 + mm;
const weekdays9to5 = (tz: string, holidays: string[] = []): Schedule => ({
  timezone: tz,
  hours: [[], ...Array.from({ length: 5 }, () => [{ start: h(9), end: h(17) }]), []],
  holidays,
});
const at = (iso: string) => new Date(iso);

describe("isOpenAt", () => {
  const ny = weekdays9to5("America/New_York");

  it("reads hours in the button's timezone, not UTC", () => {
    // Monday 2026-03-02 at 09:00 EST is 14:00 UTC.
    expect(isOpenAt(ny, at("2026-03-02T13:59:00Z"))).toBe(false);
    expect(isOpenAt(ny, at("2026-03-02T14:00:00Z"))).toBe(true);
    expect(isOpenAt(ny, at("2026-03-02T21:59:00Z"))).toBe(true);
    expect(isOpenAt(ny, at("2026-03-02T22:00:00Z"))).toBe(false);
  });

  it("is closed on weekends and holidays", () => {
    expect(isOpenAt(ny, at("2026-03-07T15:00:00Z"))).toBe(false); // Saturday
    const withHoliday = weekdays9to5("America/New_York", ["2026-03-02"]);
    expect(isOpenAt(withHoliday, at("2026-03-02T15:00:00Z"))).toBe(false);
    expect(isOpenAt(withHoliday, at("2026-03-03T15:00:00Z"))).toBe(true);
  });

  it("keeps 9 to 5 local across the DST change in New York (summer offset -4)", () => {
    // Monday 2026-03-09, the day after spring forward: 09:00 EDT = 13:00 UTC.
    expect(isOpenAt(ny, at("2026-03-09T13:00:00Z"))).toBe(true);
    expect(isOpenAt(ny, at("2026-03-09T12:59:00Z"))).toBe(false);
  });

  it("runs overnight intervals into the next day, and a holiday closes its whole date", () => {
    const bar: Schedule = {
      timezone: "America/Los_Angeles",
      hours: [[], [], [], [], [], [{ start: h(20), end: h(2) }], []],
      holidays: [],
    };
    // Friday 2026-03-06 22:00 PST = Saturday 06:00 UTC; Saturday 01:30 PST = 09:30 UTC.
    expect(isOpenAt(bar, at("2026-03-07T06:00:00Z"))).toBe(true);
    expect(isOpenAt(bar, at("2026-03-07T09:30:00Z"))).toBe(true);
    expect(isOpenAt(bar, at("2026-03-07T10:00:00Z"))).toBe(false);
    const saturdayHoliday = { ...bar, holidays: ["2026-03-07"] };
    expect(isOpenAt(saturdayHoliday, at("2026-03-07T06:00:00Z"))).toBe(true); // still Friday locally
    expect(isOpenAt(saturdayHoliday, at("2026-03-07T09:30:00Z"))).toBe(false);
  });
});

describe("DST transitions", () => {
  it("spring forward in New York: an opening inside the skipped hour opens when the clock jumps", () => {
    // Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    const s: Schedule = {
      timezone: "America/New_York",
      hours: [[{ start: h(2, 30), end: h(5) }], [], [], [], [], [], []],
      holidays: [],
    };
    expect(nextOpening(s, at("2026-03-08T05:00:00Z"))?.toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(isOpenAt(s, at("2026-03-08T06:59:00Z"))).toBe(false);
    // 1 h 59 min of wall time, but only one real hour: 03:00 to 05:00 EDT.
    expect(nextClosing(s, at("2026-03-08T07:00:00Z"))?.toISOString()).toBe("2026-03-08T09:00:00.000Z");
  });

  it("fall back in Los Angeles: the repeated hour is open both times", () => {
    // Sunday 2026-11-01: 02:00 PDT falls back to 01:00 PST (09:00 UTC).
    const s: Schedule = {
      timezone: "America/Los_Angeles",
      hours: [[{ start: h(1), end: h(1, 30) }], [], [], [], [], [], []],
      holidays: [],
    };
    expect(instantsForWallTime(Date.UTC(2026, 10, 1), h(1, 15), s.timezone)).toHaveLength(2);
    expect(isOpenAt(s, at("2026-11-01T08:15:00Z"))).toBe(true); // 01:15 PDT
    expect(isOpenAt(s, at("2026-11-01T08:45:00Z"))).toBe(false); // 01:45 PDT
    expect(isOpenAt(s, at("2026-11-01T09:15:00Z"))).toBe(true); // 01:15 PST
    // Closed at 01:45 PDT; opens again when the clock falls back to 01:00 PST.
    expect(nextOpening(s, at("2026-11-01T08:45:00Z"))?.toISOString()).toBe("2026-11-01T09:00:00.000Z");
  });

  it("a full day of 24 h on spring-forward day in Los Angeles is 23 real hours", () => {
    const s: Schedule = {
      timezone: "America/Los_Angeles",
      hours: [[{ start: 0, end: 1440 }], [], [], [], [], [], []],
      holidays: [],
    };
    const opens = nextOpening(s, at("2026-03-07T12:00:00Z"));
    const closes = opens && nextClosing(s, opens);
    expect(opens?.toISOString()).toBe("2026-03-08T08:00:00.000Z");
    expect(closes && (+closes - +opens!) / 3_600_000).toBe(23);
  });
});

describe("nextOpening", () => {
  it("skips weekends and holidays", () => {
    const s = weekdays9to5("America/New_York", ["2026-03-09"]);
    // Friday 2026-03-06 18:00 EST → Monday is a holiday → Tuesday 09:00 EDT.
    expect(nextOpening(s, at("2026-03-06T23:00:00Z"))?.toISOString()).toBe("2026-03-10T13:00:00.000Z");
  });

  it("returns the instant itself when open, and null when never open", () => {
    const s = weekdays9to5("America/New_York");
    const open = at("2026-03-02T15:00:00Z");
    expect(nextOpening(s, open)?.toISOString()).toBe(open.toISOString());
    const never: Schedule = { timezone: "UTC", hours: [[], [], [], [], [], [], []], holidays: [] };
    expect(nextOpening(never, open)).toBeNull();
  });

  it("lists open windows as absolute instants", () => {
    const s = weekdays9to5("America/New_York");
    const windows = openWindows(s, at("2026-03-06T12:00:00Z"), 4);
    expect(windows.map((w) => [w.opens.toISOString(), w.closes?.toISOString()])).toEqual([
      ["2026-03-06T14:00:00.000Z", "2026-03-06T22:00:00.000Z"],
      ["2026-03-09T13:00:00.000Z", "2026-03-09T21:00:00.000Z"],
    ]);
  });
});

describe("findHoursProblems", () => {
  it("accepts several intervals a day and overnight intervals", () => {
    const hours: Interval[][] = [
      [],
      [
        { start: h(8), end: h(12) },
        { start: h(13), end: h(17) },
      ],
      [],
      [],
      [],
      [{ start: h(22), end: h(2) }],
      [{ start: h(9), end: h(12) }],
    ];
    expect(findHoursProblems(hours).size).toBe(0);
  });
  it("refuses overlaps, including an overnight tail over the next morning", () => {
    expect(
      findHoursProblems([
        [],
        [
          { start: h(8), end: h(12) },
          { start: h(11), end: h(14) },
        ],
        [],
        [],
        [],
        [],
        [],
      ]).get(1),
    ).toMatch(/overlap/);
    expect(
      findHoursProblems([
        [],
        [{ start: h(22), end: h(3) }],
        [{ start: h(2), end: h(5) }],
        [],
        [],
        [],
        [],
      ]).get(2),
    ).toMatch(/overlap/);
    expect(findHoursProblems([[{ start: h(9), end: h(9) }], [], [], [], [], [], []]).get(0)).toMatch(
      /same time/,
    );
  });
});

// Properties: random valid week + timezone + instant.
const zones = [
  "America/New_York",
  "America/Los_Angeles",
  "America/Chicago",
  "America/Phoenix",
  "Pacific/Honolulu",
  "America/Anchorage",
];
const quarter = fc.integer({ min: 0, max: 95 }).map((q) => q * 15);
const dayIntervals = fc
  .uniqueArray(quarter, { minLength: 0, maxLength: 4 })
  .map((points) => points.sort((a, b) => a - b))
  .map((points) => {
    const out: Interval[] = [];
    for (let i = 0; i + 1 < points.length; i += 2) out.push({ start: points[i]!, end: points[i + 1]! });
    return out;
  });
const schedule = fc.record({
  timezone: fc.constantFrom(...zones),
  hours: fc.array(dayIntervals, { minLength: 7, maxLength: 7 }),
  holidays: fc.array(
    fc
      .date({ min: new Date("2026-01-01"), max: new Date("2027-12-31"), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
    { maxLength: 5 },
  ),
});
// Instants around both 2026 DST changes and elsewhere in the year, to the minute.
const instant = fc
  .oneof(
    fc.integer({ min: Date.UTC(2026, 2, 6) / 60000, max: Date.UTC(2026, 2, 10) / 60000 }),
    fc.integer({ min: Date.UTC(2026, 9, 30) / 60000, max: Date.UTC(2026, 10, 3) / 60000 }),
    fc.integer({ min: Date.UTC(2026, 0, 1) / 60000, max: Date.UTC(2027, 11, 31) / 60000 }),
  )
  .map((m) => m * 60000);

describe("schedule properties", () => {
  it("generated weeks are valid", () => {
    fc.assert(fc.property(schedule, (s) => findHoursProblems(s.hours).size === 0));
  });

  it("nextOpening is open, and the minute before it is closed (unless it is the start)", () => {
    fc.assert(
      fc.property(schedule, instant, (s, t) => {
        const n = nextOpening(s, t);
        if (n === null) return true;
        expect(isOpenAt(s, n)).toBe(true);
        if (+n > t) expect(isOpenAt(s, +n - 60_000)).toBe(false);
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("nothing is open between a moment and its next opening (sampled every 15 minutes)", () => {
    fc.assert(
      fc.property(schedule, instant, (s, t) => {
        const n = nextOpening(s, t);
        const end = n ? +n : t + 3 * 86_400_000;
        for (let x = t; x < Math.min(end, t + 3 * 86_400_000); x += 15 * 60_000) {
          expect(isOpenAt(s, x)).toBe(false);
        }
        return true;
      }),
      { numRuns: 150 },
    );
  });

  it("nextClosing after an opening is closed, and open just before", () => {
    fc.assert(
      fc.property(schedule, instant, (s, t) => {
        const opens = nextOpening(s, t);
        if (!opens) return true;
        const closes = nextClosing(s, opens);
        if (!closes) return true;
        expect(+closes).toBeGreaterThan(+opens);
        expect(isOpenAt(s, closes)).toBe(false);
        expect(isOpenAt(s, +closes - 60_000)).toBe(true);
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it("a wall time maps back to instants that read as that wall time (or past a skipped hour)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...zones), instant, (tz, t) => {
        const w = wallClock(t, tz);
        const back = instantsForWallTime(w.utcMidnight, w.minute, tz);
        expect(back).toContain(t);
        return true;
      }),
      { numRuns: 300 },
    );
  });
});

describe("closedCallMessage", () => {
  it("says 'when we're open' only when an opening is coming", () => {
    expect(closedCallMessage(weekdays9to5("America/New_York"), at("2026-03-07T12:00:00Z"))).toBe(
      "We're closed right now. Please call again when we're open.",
    );
  });

  it("says plainly that no calls are taken when no opening is coming", () => {
    const never: Schedule = {
      timezone: "America/New_York",
      hours: Array.from({ length: 7 }, () => []),
      holidays: [],
    };
    const message = closedCallMessage(never, at("2026-03-07T12:00:00Z"));
    expect(message).toBe("We're not taking calls at the moment.");
    expect(message).not.toMatch(/\bthen\b|when we're open/);
  });
});
