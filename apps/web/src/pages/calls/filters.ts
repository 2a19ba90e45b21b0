import { TAG_MAX_LENGTH } from "@cac/core/domain";
import { useCallback, useMemo } from "react";
import { useSearchParams } from "react-router";
import { type CallStatus, callStatusOrder, isCallStatus } from "./format";

/**
 * The call log's filters, kept in the address (?button=&from=&to=&status=a,b&tag=&notes=1&answered=&source=&campaign=)
 * so a view can be shared.
 */
export type CallFilters = {
  buttonId: string | undefined;
  statuses: CallStatus[];
  /** Calendar days (YYYY-MM-DD) in the account's timezone, both included. */
  from: string | undefined;
  to: string | undefined;
  /** A tag, as typed (the server normalizes it as tags are stored). */
  tag: string | undefined;
  hasNotes: boolean;
  /** "me" or a member's id. */
  answeredBy: string | undefined;
  /** Where the visit came from ("Google Ads"), and its campaign, from callLog.contextOptions. */
  source: string | undefined;
  campaign: string | undefined;
};

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readFilters(params: URLSearchParams): CallFilters {
  const day = (name: string) => {
    const value = params.get(name) ?? "";
    return DAY.test(value) ? value : undefined;
  };
  const button = params.get("button") ?? "";
  const wanted = new Set((params.get("status") ?? "").split(",").filter(isCallStatus));
  const tag = (params.get("tag") ?? "").trim().slice(0, TAG_MAX_LENGTH);
  const answered = params.get("answered") ?? "";
  return {
    buttonId: UUID.test(button) ? button : undefined,
    statuses: callStatusOrder.filter((s) => wanted.has(s)),
    from: day("from"),
    to: day("to"),
    tag: tag || undefined,
    hasNotes: params.get("notes") === "1",
    answeredBy: answered === "me" || UUID.test(answered) ? answered : undefined,
    source: (params.get("source") ?? "").trim().slice(0, 512) || undefined,
    campaign: (params.get("campaign") ?? "").trim().slice(0, 100) || undefined,
  };
}

export function hasFilters(f: CallFilters): boolean {
  return Boolean(
    f.buttonId ||
      f.statuses.length ||
      f.from ||
      f.to ||
      f.tag ||
      f.hasNotes ||
      f.answeredBy ||
      f.source ||
      f.campaign,
  );
}

/** A range that ends before it starts; the server would refuse it too. */
export function rangeError(f: CallFilters): string | undefined {
  return f.from && f.to && f.to < f.from ? "The end date must be on or after the start date." : undefined;
}

/** The filters as the callLog procedures take them. */
export function toQueryInput(f: CallFilters) {
  return {
    ...(f.buttonId ? { buttonId: f.buttonId } : {}),
    ...(f.statuses.length ? { statuses: f.statuses } : {}),
    ...(f.from ? { from: f.from } : {}),
    ...(f.to ? { to: f.to } : {}),
    ...(f.tag ? { tag: f.tag } : {}),
    ...(f.hasNotes ? { hasNotes: true } : {}),
    ...(f.answeredBy ? { answeredBy: f.answeredBy } : {}),
    ...(f.source ? { source: f.source } : {}),
    ...(f.campaign ? { campaign: f.campaign } : {}),
  };
}

/** The filters as the CSV export's query string takes them (the same meaning as the list). */
export function toExportQuery(f: CallFilters): string {
  const params = new URLSearchParams();
  if (f.buttonId) params.set("buttonId", f.buttonId);
  if (f.statuses.length) params.set("status", f.statuses.join(","));
  if (f.from) params.set("from", f.from);
  if (f.to) params.set("to", f.to);
  if (f.tag) params.set("tag", f.tag);
  if (f.hasNotes) params.set("hasNotes", "true");
  if (f.answeredBy) params.set("answeredBy", f.answeredBy);
  if (f.source) params.set("source", f.source);
  if (f.campaign) params.set("campaign", f.campaign);
  const query = params.toString();
  return query ? `?${query}` : "";
}

export function useCallFilters() {
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => readFilters(params), [params]);
  const update = useCallback(
    (patch: Partial<CallFilters>) => {
      setParams(
        (current) => {
          const next = { ...readFilters(current), ...patch };
          const out = new URLSearchParams(current);
          const set = (name: string, value: string | undefined) => {
            if (value) out.set(name, value);
            else out.delete(name);
          };
          set("button", next.buttonId);
          set("status", next.statuses.join(","));
          set("from", next.from);
          set("to", next.to);
          set("tag", next.tag);
          set("notes", next.hasNotes ? "1" : undefined);
          set("answered", next.answeredBy);
          set("source", next.source);
          set("campaign", next.campaign);
          return out;
        },
        { replace: true },
      );
    },
    [setParams],
  );
  const clear = useCallback(
    () =>
      update({
        buttonId: undefined,
        statuses: [],
        from: undefined,
        to: undefined,
        tag: undefined,
        hasNotes: false,
        answeredBy: undefined,
        source: undefined,
        campaign: undefined,
      }),
    [update],
  );
  return { filters, update, clear };
}
