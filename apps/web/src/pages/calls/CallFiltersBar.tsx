import { TAG_MAX_LENGTH } from "@cac/core/domain";
import { Button, FieldError } from "@cac/ui";
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { useTRPC } from "../../trpc";
import { type CallFilters, hasFilters } from "./filters";
import { callStatusOrder, statusLabels } from "./format";

type Props = {
  filters: CallFilters;
  onChange: (patch: Partial<CallFilters>) => void;
  onClear: () => void;
  /** Messages for the date fields (a range that ends before it starts, or the server's word). */
  errors: { from?: string | undefined; to?: string | undefined };
};

/** Button, date range, tag, who answered, notes and status filters. Every change applies at once (and lands in the address). */
export function CallFiltersBar({ filters, onChange, onClear, errors }: Props) {
  const trpc = useTRPC();
  const buttons = useQuery(trpc.buttons.list.queryOptions());
  const members = useQuery(trpc.callbacks.assignees.queryOptions());
  // The sources and campaigns of the calls in the chosen range.
  const range = {
    ...(filters.from ? { from: filters.from } : {}),
    ...(filters.to ? { to: filters.to } : {}),
  };
  const contextOptions = useQuery(trpc.callLog.contextOptions.queryOptions(range));
  // The tag applies when the field is left or Enter is pressed, not on every keystroke.
  const [tag, setTag] = useState(filters.tag ?? "");
  useEffect(() => setTag(filters.tag ?? ""), [filters.tag]);
  const applyTag = () => {
    const next = tag.trim() || undefined;
    if (next !== filters.tag) onChange({ tag: next });
  };
  const id = useId().replace(/[^a-zA-Z0-9_-]/g, "");
  const selectedMissing =
    filters.buttonId !== undefined && buttons.data && !buttons.data.some((b) => b.id === filters.buttonId);

  return (
    <form
      className="calls-filters"
      aria-label="Filter calls"
      onSubmit={(e) => {
        e.preventDefault();
        applyTag();
      }}
    >
      <div className="calls-filters-row">
        <div className="ui-field">
          <label className="ui-label" htmlFor={`${id}-button`}>
            Button
          </label>
          <div className="ui-input-row">
            <select
              id={`${id}-button`}
              className="ui-input calls-select"
              value={filters.buttonId ?? ""}
              onChange={(e) => onChange({ buttonId: e.target.value || undefined })}
              aria-describedby={buttons.isError ? `${id}-button-hint` : undefined}
            >
              <option value="">All buttons</option>
              {selectedMissing ? <option value={filters.buttonId}>A deleted button</option> : null}
              {buttons.data?.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </div>
          {buttons.isError ? (
            <p className="ui-hint" id={`${id}-button-hint`}>
              We could not load your buttons.{" "}
              <Button variant="link" size="sm" onClick={() => buttons.refetch()}>
                Try again
              </Button>
            </p>
          ) : null}
        </div>
        <DateField
          id={`${id}-from`}
          label="From"
          value={filters.from}
          max={filters.to}
          error={errors.from}
          onChange={(from) => onChange({ from })}
        />
        <DateField
          id={`${id}-to`}
          label="To"
          value={filters.to}
          min={filters.from}
          error={errors.to}
          onChange={(to) => onChange({ to })}
        />
      </div>
      <div className="calls-filters-row">
        <div className="ui-field">
          <label className="ui-label" htmlFor={`${id}-tag`}>
            Tag
          </label>
          <div className="ui-input-row">
            <input
              id={`${id}-tag`}
              className="ui-input"
              value={tag}
              maxLength={TAG_MAX_LENGTH}
              onChange={(e) => setTag(e.target.value)}
              onBlur={applyTag}
              enterKeyHint="search"
            />
          </div>
        </div>
        <div className="ui-field">
          <label className="ui-label" htmlFor={`${id}-answered`}>
            Answered by
          </label>
          <div className="ui-input-row">
            <select
              id={`${id}-answered`}
              className="ui-input calls-select"
              value={filters.answeredBy ?? ""}
              onChange={(e) => onChange({ answeredBy: e.target.value || undefined })}
            >
              <option value="">Anyone</option>
              <option value="me">Me</option>
              {members.data?.items.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <OptionFilter
          id={`${id}-source`}
          label="Source"
          all="All sources"
          value={filters.source}
          options={contextOptions.data?.sources}
          onChange={(source) => onChange({ source })}
        />
        <OptionFilter
          id={`${id}-campaign`}
          label="Campaign"
          all="All campaigns"
          value={filters.campaign}
          options={contextOptions.data?.campaigns}
          onChange={(campaign) => onChange({ campaign })}
        />
        <label className="calls-status-option calls-notes-filter">
          <input
            type="checkbox"
            className="ui-checkbox"
            checked={filters.hasNotes}
            onChange={(e) => onChange({ hasNotes: e.target.checked })}
          />
          <span>Only calls with notes</span>
        </label>
      </div>
      <fieldset className="calls-status-filter">
        <legend className="ui-label">
          Status <span className="ui-label-optional">(none checked: all)</span>
        </legend>
        <div className="calls-status-options">
          {callStatusOrder.map((status) => {
            const checked = filters.statuses.includes(status);
            return (
              <label key={status} className="calls-status-option">
                <input
                  type="checkbox"
                  className="ui-checkbox"
                  checked={checked}
                  onChange={() =>
                    onChange({
                      statuses: checked
                        ? filters.statuses.filter((s) => s !== status)
                        : [...filters.statuses, status],
                    })
                  }
                />
                <span>{statusLabels[status]}</span>
              </label>
            );
          })}
        </div>
      </fieldset>
      {hasFilters(filters) ? (
        <div>
          <Button variant="secondary" size="sm" onClick={onClear}>
            Clear filters
          </Button>
        </div>
      ) : null}
    </form>
  );
}

function DateField({
  id,
  label,
  value,
  min,
  max,
  error,
  onChange,
}: {
  id: string;
  label: string;
  value: string | undefined;
  min?: string | undefined;
  max?: string | undefined;
  error?: string | undefined;
  onChange: (value: string | undefined) => void;
}) {
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={error ? "ui-field ui-field--invalid" : "ui-field"}>
      <label className="ui-label" htmlFor={id}>
        {label}
      </label>
      <div className="ui-input-row">
        <input
          id={id}
          type="date"
          className="ui-input"
          value={value ?? ""}
          min={min}
          max={max}
          aria-invalid={error ? true : undefined}
          aria-describedby={errorId}
          onChange={(e) => onChange(e.target.value || undefined)}
        />
      </div>
      <FieldError id={errorId} messages={error ? [error] : []} />
    </div>
  );
}

/** A select among the values the range offers; a chosen value missing from them stays listed. */
function OptionFilter({
  id,
  label,
  all,
  value,
  options,
  onChange,
}: {
  id: string;
  label: string;
  all: string;
  value: string | undefined;
  options: string[] | undefined;
  onChange: (value: string | undefined) => void;
}) {
  const listed = options ?? [];
  return (
    <div className="ui-field">
      <label className="ui-label" htmlFor={id}>
        {label}
      </label>
      <div className="ui-input-row">
        <select
          id={id}
          className="ui-input calls-select"
          value={value ?? ""}
          onChange={(e) => onChange(e.target.value || undefined)}
        >
          <option value="">{all}</option>
          {value !== undefined && !listed.includes(value) ? <option value={value}>{value}</option> : null}
          {listed.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
