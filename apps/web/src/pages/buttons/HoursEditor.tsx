import { Button, FieldError, SelectField } from "@cac/ui";
import { useMemo } from "react";
import {
  type Draft,
  hourPresets,
  intervalKey,
  intervalNote,
  MAX_INTERVALS_PER_DAY,
  minutesToTime,
  otherTimezones,
  presetHours,
  splitHoursMessages,
  type TimeInterval,
  timeToMinutes,
  usTimezones,
  weekdays,
} from "./draft";

/** A sensible next interval after the day's last one: an hour later, for an hour. */
function nextInterval(day: TimeInterval[]): TimeInterval {
  const last = day[day.length - 1];
  const lastEnd = last ? timeToMinutes(last.end) : null;
  if (lastEnd === null || !last) return { key: intervalKey(), start: "09:00", end: "17:00" };
  const start = Math.min(lastEnd + 60, 23 * 60);
  return { key: intervalKey(), start: minutesToTime(start), end: minutesToTime(Math.min(start + 60, 1440)) };
}

export function HoursEditor({
  draft,
  onHours,
  onTimezone,
  problems,
  serverMessages,
  timezoneError,
}: {
  draft: Pick<Draft, "hours" | "timezone">;
  onHours: (hours: TimeInterval[][]) => void;
  /** Absent: the timezone is not chosen here (a member's hours are in the account's). */
  onTimezone?: ((timezone: string) => void) | undefined;
  /** Problems found while typing, per weekday (0 = Sunday). */
  problems: Map<number, string[]>;
  /** The server's messages for `hours` from the last save. */
  serverMessages: readonly string[] | undefined;
  timezoneError: readonly string[] | undefined;
}) {
  const others = useMemo(otherTimezones, []);
  const known = usTimezones.some((z) => z.value === draft.timezone) || others.includes(draft.timezone);
  const server = splitHoursMessages(serverMessages ?? []);

  const setDay = (day: number, intervals: TimeInterval[]) =>
    onHours(draft.hours.map((current, index) => (index === day ? intervals : current)));
  const setInterval = (day: number, key: number, change: Partial<TimeInterval>) =>
    setDay(
      day,
      (draft.hours[day] ?? []).map((iv) => (iv.key === key ? { ...iv, ...change } : iv)),
    );

  return (
    <div className="stack">
      {onTimezone ? (
        <SelectField
          label="Timezone"
          hint="Your opening hours are in this timezone. Visitors see the times in their own."
          value={draft.timezone}
          onChange={(event) => onTimezone(event.target.value)}
          error={timezoneError}
          className="hours-timezone"
        >
          <optgroup label="United States">
            {usTimezones.map((zone) => (
              <option key={zone.value} value={zone.value}>
                {zone.label}
              </option>
            ))}
          </optgroup>
          <optgroup label="Other regions">
            {known ? null : <option value={draft.timezone}>{draft.timezone}</option>}
            {others.map((zone) => (
              <option key={zone} value={zone}>
                {zone.replaceAll("_", " ")}
              </option>
            ))}
          </optgroup>
        </SelectField>
      ) : (
        <p className="hours-timezone-note">Times are in {draft.timezone.replaceAll("_", " ")}.</p>
      )}

      <fieldset className="hours-presets">
        <legend className="hours-presets-label">Quick fill (replaces the hours below)</legend>
        <div className="actions">
          {hourPresets.map((preset) => (
            <Button
              key={preset.id}
              variant="secondary"
              size="sm"
              onClick={() => onHours(presetHours(preset.id))}
            >
              {preset.label}
            </Button>
          ))}
        </div>
      </fieldset>

      {server.general.length > 0 ? <FieldError id="hours-error" messages={server.general} /> : null}

      <ul className="hours-days">
        {weekdays.map(({ index, name }) => {
          const day = draft.hours[index] ?? [];
          const messages = [...new Set([...(problems.get(index) ?? []), ...(server.byDay.get(index) ?? [])])];
          const errorId = messages.length > 0 ? `hours-${index}-error` : undefined;
          return (
            <li
              key={index}
              className={`hours-day${messages.length > 0 ? " hours-day--invalid" : ""}`}
              aria-labelledby={`hours-${index}-name`}
            >
              <p className="hours-day-name" id={`hours-${index}-name`}>
                {name}
              </p>
              <div className="hours-day-body">
                {day.length === 0 ? <p className="hours-closed">Closed</p> : null}
                {day.map((iv, position) => {
                  const note = intervalNote(iv);
                  const label = `${name}, hours ${position + 1}`;
                  const invalid = messages.length > 0 && position === 0;
                  return (
                    <fieldset key={iv.key} className="hours-interval">
                      <legend className="ui-visually-hidden">{label}</legend>
                      <label className="hours-time">
                        <span className="ui-visually-hidden">{name} opens at</span>
                        <input
                          type="time"
                          className="time-input"
                          value={iv.start}
                          required
                          aria-invalid={invalid || undefined}
                          aria-describedby={errorId}
                          onChange={(event) => setInterval(index, iv.key, { start: event.target.value })}
                        />
                      </label>
                      <span className="hours-to" aria-hidden="true">
                        to
                      </span>
                      <label className="hours-time">
                        <span className="ui-visually-hidden">{name} closes at</span>
                        <input
                          type="time"
                          className="time-input"
                          value={iv.end}
                          required
                          aria-describedby={note ? `hours-${iv.key}-note` : undefined}
                          onChange={(event) => setInterval(index, iv.key, { end: event.target.value })}
                        />
                      </label>
                      {note ? (
                        <span className="hours-note" id={`hours-${iv.key}-note`}>
                          {note}
                        </span>
                      ) : null}
                      <Button
                        variant="ghost"
                        size="sm"
                        className="hours-remove"
                        aria-label={`Remove ${name} ${iv.start || "…"} to ${iv.end || "…"}`}
                        onClick={() =>
                          setDay(
                            index,
                            day.filter((other) => other.key !== iv.key),
                          )
                        }
                      >
                        Remove
                      </Button>
                    </fieldset>
                  );
                })}
                {day.length < MAX_INTERVALS_PER_DAY ? (
                  <Button
                    variant="link"
                    size="sm"
                    className="hours-add"
                    aria-label={`Add hours on ${name}`}
                    onClick={() => setDay(index, [...day, nextInterval(day)])}
                  >
                    + Add hours
                  </Button>
                ) : null}
                <FieldError id={errorId} messages={messages} />
              </div>
            </li>
          );
        })}
      </ul>
      <p className="ui-hint">
        A closing time earlier than the opening time runs overnight into the next day. Close at 00:00 for
        midnight.
      </p>
    </div>
  );
}
