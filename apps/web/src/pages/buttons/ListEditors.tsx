import { domainPatternProblem, normalizeDomainPattern } from "@cac/core/domain";
import { TextField } from "@cac/ui";
import { type KeyboardEvent, useState } from "react";

const holidayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  year: "numeric",
  month: "short",
  day: "numeric",
  timeZone: "UTC",
});

/** "2026-12-25" → "Fri, Dec 25, 2026" (the date itself, whatever the viewer's timezone). */
function formatHoliday(date: string): string {
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : holidayFormat.format(parsed);
}

/** Chips with a remove button each; focus moves to a neighbour (or `fallback`) when one goes. */
function ChipList({
  items,
  label,
  render,
  onRemove,
  removeLabel,
}: {
  items: readonly string[];
  label: string;
  render: (item: string) => string;
  onRemove: (item: string) => void;
  removeLabel: (item: string) => string;
}) {
  return (
    <ul className="chips" aria-label={label}>
      {items.map((item, index) => (
        <li key={item} className="chip">
          <span className="chip-text">{render(item)}</span>
          <button
            type="button"
            className="chip-remove"
            aria-label={removeLabel(item)}
            onClick={(event) => {
              const list = event.currentTarget.closest("ul");
              onRemove(item);
              // Keep keyboard users in the list: the next chip's button, else the previous one.
              requestAnimationFrame(() => {
                const buttons = list?.querySelectorAll<HTMLButtonElement>(".chip-remove");
                const next = buttons?.[Math.min(index, (buttons?.length ?? 1) - 1)];
                if (next) next.focus();
                else list?.parentElement?.querySelector<HTMLInputElement>("input")?.focus();
              });
            }}
          >
            <svg aria-hidden="true" viewBox="0 0 16 16">
              <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="2" fill="none" />
            </svg>
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Runs `add` on Enter instead of submitting the form. */
const enterAdds = (add: () => void) => (event: KeyboardEvent<HTMLInputElement>) => {
  if (event.key === "Enter") {
    event.preventDefault();
    add();
  }
};

export function HolidaysEditor({
  holidays,
  onChange,
  error,
}: {
  holidays: readonly string[];
  onChange: (holidays: string[]) => void;
  error: readonly string[] | undefined;
}) {
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const add = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      setProblem("Choose a date first.");
      return;
    }
    setProblem(null);
    setValue("");
    if (!holidays.includes(value)) onChange([...holidays, value].sort());
  };
  return (
    <div className="stack">
      <TextField
        label="Add a closed date"
        type="date"
        hint="Holidays and other days you are closed all day, in the button's timezone."
        value={value}
        onChange={(event) => {
          setValue(event.target.value);
          setProblem(null);
        }}
        onKeyDown={enterAdds(add)}
        error={problem ?? error}
        trailing={
          <button type="button" className="ui-input-toggle" onClick={add}>
            Add date
          </button>
        }
        className="list-input"
      />
      {holidays.length > 0 ? (
        <ChipList
          items={holidays}
          label="Closed dates"
          render={formatHoliday}
          onRemove={(date) => onChange(holidays.filter((d) => d !== date))}
          removeLabel={(date) => `Remove ${formatHoliday(date)}`}
        />
      ) : (
        <p className="muted">No closed dates.</p>
      )}
    </div>
  );
}

export function DomainsEditor({
  domains,
  onChange,
  error,
  production,
}: {
  domains: readonly string[];
  onChange: (domains: string[]) => void;
  error: readonly string[] | undefined;
  production: boolean;
}) {
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const add = () => {
    const pattern = normalizeDomainPattern(value);
    if (!pattern) {
      setProblem("Type a domain first, like example.com.");
      return;
    }
    const why = domainPatternProblem(pattern);
    if (why) {
      setProblem(why);
      return;
    }
    setProblem(null);
    setValue("");
    if (!domains.includes(pattern)) onChange([...domains, pattern]);
  };
  return (
    <div className="stack">
      <TextField
        label="Add a domain"
        inputMode="url"
        autoCapitalize="off"
        autoCorrect="off"
        spellCheck={false}
        placeholder="example.com"
        hint={
          <>
            The button only appears on these sites. Use the exact host (<code>shop.example.com</code>) or{" "}
            <code>*.example.com</code> for every subdomain; the wildcard does not include{" "}
            <code>example.com</code> itself, so add both if you need them.
            {production ? null : (
              <> While you test, pages on localhost show the button without being listed.</>
            )}
          </>
        }
        value={value}
        onChange={(event) => {
          setValue(event.target.value);
          setProblem(null);
        }}
        onKeyDown={enterAdds(add)}
        error={problem ?? error}
        trailing={
          <button type="button" className="ui-input-toggle" onClick={add}>
            Add domain
          </button>
        }
        className="list-input"
      />
      {domains.length > 0 ? (
        <ChipList
          items={domains}
          label="Allowed domains"
          render={(d) => d}
          onRemove={(domain) => onChange(domains.filter((d) => d !== domain))}
          removeLabel={(domain) => `Remove ${domain}`}
        />
      ) : (
        <p className="muted">
          No domains yet: the button will not appear on any website
          {production ? "" : " other than localhost"}.
        </p>
      )}
    </div>
  );
}
