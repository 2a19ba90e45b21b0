import { describe, expect, it } from "vitest";
import {
  draftSignature,
  hoursProblemsByDay,
  intervalKey,
  intervalNote,
  minutesToTime,
  newDraft,
  presetHours,
  splitHoursMessages,
  timeToMinutes,
  toFields,
  toInterval,
} from "../src/pages/buttons/draft";

const iv = (start: string, end: string) => ({ key: intervalKey(), start, end });

describe("button editor draft", () => {
  it("starts a new button always open, offering a callback when closed, on the signup website", () => {
    const draft = newDraft("https://www.acme-plumbing.com/");
    const { fields, problems } = toFields({ ...draft, name: "Main" });
    expect(problems).toEqual({});
    expect(fields.hours).toEqual(Array.from({ length: 7 }, () => [{ start: 0, end: 1440 }]));
    expect(fields.closedBehavior).toBe("callback");
    expect(fields.allowedDomains).toEqual(["acme-plumbing.com", "www.acme-plumbing.com"]);
    expect(newDraft().allowedDomains).toEqual([]);
  });

  it("converts between time inputs and minutes, with 00:00 as an end meaning midnight", () => {
    expect(minutesToTime(540)).toBe("09:00");
    expect(minutesToTime(1440)).toBe("00:00");
    expect(timeToMinutes("17:30")).toBe(1050);
    expect(timeToMinutes("")).toBeNull();
    expect(toInterval({ start: "22:00", end: "00:00" })).toEqual({ start: 1320, end: 1440 });
    expect(toInterval({ start: "00:00", end: "00:00" })).toEqual({ start: 0, end: 1440 });
    expect(toInterval({ start: "22:00", end: "02:00" })).toEqual({ start: 1320, end: 120 });
    expect(toInterval({ start: "22:00", end: "" })).toBeNull();
  });

  it("describes overnight, midnight and all-day intervals", () => {
    expect(intervalNote({ start: "22:00", end: "02:00" })).toBe("Until 02:00 next day");
    expect(intervalNote({ start: "18:00", end: "00:00" })).toBe("Until midnight");
    expect(intervalNote({ start: "00:00", end: "00:00" })).toBe("All day");
    expect(intervalNote({ start: "09:00", end: "17:00" })).toBeNull();
  });

  it("names the day of overlapping or incomplete hours, counting overnight hours on the next day", () => {
    const draft = newDraft();
    draft.hours = presetHours("closed");
    draft.hours[1] = [iv("09:00", "17:00"), iv("16:00", "18:00")];
    draft.hours[5] = [iv("20:00", "03:00")];
    draft.hours[6] = [iv("02:00", "05:00")];
    draft.hours[3] = [iv("09:00", "")];
    const problems = hoursProblemsByDay(draft);
    expect(problems.get(1)?.[0]).toMatch(/^Monday: intervals overlap/);
    expect(problems.get(6)?.[0]).toMatch(/^Saturday: intervals overlap/);
    expect(problems.get(3)?.[0]).toMatch(/^Wednesday: enter both/);
    expect(problems.has(5)).toBe(false);
    expect(toFields(draft).problems.hours).toHaveLength(3);
  });

  it("builds the fields the server takes, and flags colors that are not hex", () => {
    const draft = {
      ...newDraft(),
      name: "Main",
      phoneNumber: "  ",
      background: "#ABC",
      text: "white",
      hours: presetHours("weekdays"),
    };
    const { fields, problems } = toFields(draft);
    expect(fields.phoneNumber).toBeNull();
    expect(fields.style.background).toBe("#aabbcc");
    expect(problems.text).toEqual(["Use a color like #ffffff."]);
    expect(fields.hours).toHaveLength(7);
    expect(fields.hours[1]).toEqual([{ start: 540, end: 1020 }]);
    expect(fields.hours[0]).toEqual([]);
  });

  it("files the server's hours messages under the day they name", () => {
    const { byDay, general } = splitHoursMessages([
      "Tuesday: intervals overlap (overnight hours count on the next day).",
      "At most 6 intervals a day.",
    ]);
    expect(byDay.get(2)).toHaveLength(1);
    expect(general).toEqual(["At most 6 intervals a day."]);
  });

  it("ignores row keys when telling whether the draft changed", () => {
    const a = newDraft();
    const b = { ...a, hours: presetHours("always") };
    expect(draftSignature(a)).toBe(draftSignature(b));
    expect(draftSignature({ ...a, label: "Call" })).not.toBe(draftSignature(a));
  });
});
