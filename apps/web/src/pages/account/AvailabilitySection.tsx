import "../buttons/buttons.css";
import { Alert, Button, Card, Checkbox, ErrorState, Skeleton } from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";
import {
  hoursProblemsByDay,
  presetHours,
  type TimeInterval,
  toTimeIntervals,
  weeklyHours,
} from "../buttons/draft";
import { HoursEditor } from "../buttons/HoursEditor";

/**
 * The member's own availability as the server holds it: whether calls can reach them now, and
 * their working hours (optional), which turn the switch's effect on and off by themselves.
 */
export function AvailabilitySection() {
  const trpc = useTRPC();
  const availability = useQuery({ ...trpc.phone.availability.queryOptions(), refetchInterval: 15_000 });
  return (
    <Card
      id="availability"
      title="Your availability"
      description="Calls ring you while you are available, inside your working hours if you set some, and a portal tab of yours is open."
    >
      {availability.isPending ? (
        <Skeleton lines={3} label="Loading your availability…" />
      ) : availability.isError ? (
        <ErrorState
          title="We could not load your availability"
          message={describeError(availability.error).message}
          onRetry={() => availability.refetch()}
          retrying={availability.isFetching}
        />
      ) : (
        <div className="stack">
          <p role="status" aria-live="polite">
            {availability.data.reachable
              ? "Calls can reach you now."
              : availability.data.available
                ? "You are available, but calls can't reach you now (outside your working hours, or no portal tab of yours is open)."
                : "You are not available: calls don't ring you. Turn on “Available to answer calls” at the top of the page."}
          </p>
          <HoursForm hours={availability.data.hours} timezone={availability.data.timezone} />
        </div>
      )}
    </Card>
  );
}

/** Starts from the hours held when the section loaded; a save keeps what the member sees. */
function HoursForm({
  hours,
  timezone,
}: {
  hours: Array<Array<{ start: number; end: number }>> | null;
  timezone: string;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [useHours, setUseHours] = useState(hours !== null);
  const [draft, setDraft] = useState<{ hours: TimeInterval[][]; timezone: string }>(() => ({
    hours: hours ? toTimeIntervals(hours) : presetHours("weekdays"),
    timezone,
  }));
  const save = useMutation(
    trpc.phone.setHours.mutationOptions({
      onSuccess: (saved) =>
        queryClient.setQueryData(trpc.phone.availability.queryKey(), (old) =>
          old ? { ...old, ...saved } : old,
        ),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.phone.availability.queryKey() }),
    }),
  );
  const problems = hoursProblemsByDay(draft);
  const serverMessages = save.error ? describeError(save.error).fieldErrors?.hours : undefined;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (useHours && problems.size > 0) return;
    save.mutate({ hours: useHours ? weeklyHours(draft) : null });
  };

  return (
    <form onSubmit={onSubmit} noValidate className="stack" aria-label="Working hours">
      <Checkbox
        label="Take calls only during my working hours"
        hint="Outside them calls don't ring you, even while you are available."
        checked={useHours}
        onChange={(event) => setUseHours(event.currentTarget.checked)}
      />
      {useHours ? (
        <HoursEditor
          draft={draft}
          onHours={(next) => setDraft({ ...draft, hours: next })}
          problems={problems}
          serverMessages={serverMessages}
          timezoneError={undefined}
        />
      ) : null}
      <div aria-live="polite">
        {save.isSuccess ? <Alert tone="success">Your working hours were saved.</Alert> : null}
        {save.isError && !serverMessages ? (
          <Alert tone="error">{describeError(save.error).message}</Alert>
        ) : null}
      </div>
      <div className="actions">
        <Button type="submit" pending={save.isPending} pendingLabel="Saving…">
          Save working hours
        </Button>
      </div>
    </form>
  );
}
