import { Alert, ProgressBar, Skeleton } from "@cac/ui";
import { useQuery } from "@tanstack/react-query";
import { describeError } from "../../lib/errors";
import { type RouterOutputs, useTRPC } from "../../trpc";

export type Seats = RouterOutputs["team"]["seats"];

/** "3 of 5 used (1 invitation pending)": an open invitation holds a seat until it is used or ends. */
export function seatsText(seats: Seats): string {
  const pending = seats.pending
    ? ` (${seats.pending} invitation${seats.pending === 1 ? "" : "s"} pending)`
    : "";
  return `${seats.members + seats.pending} of ${seats.allowed} used${pending}`;
}

/** The plan's seats, as the Team and Billing pages show them (team.seats, the plan-limits counts). */
export function useSeats() {
  const trpc = useTRPC();
  return useQuery(trpc.team.seats.queryOptions());
}

/** One line: "Seats: 3 of 5 used (1 invitation pending)". */
export function SeatUsage({ seats }: { seats: ReturnType<typeof useSeats> }) {
  if (seats.isPending) return <Skeleton lines={1} label="Loading seats…" />;
  if (seats.isError) {
    return <Alert tone="error">We could not load your seats. {describeError(seats.error).message}</Alert>;
  }
  return (
    <p className="team-seats-line" data-testid="seats">
      <strong>Seats:</strong> {seatsText(seats.data)}
    </p>
  );
}

/** The Billing page's seats, beside minutes and buttons. */
export function SeatsBar() {
  const seats = useSeats();
  if (seats.isPending) return <Skeleton lines={1} label="Loading seats…" />;
  if (seats.isError) {
    return <Alert tone="error">We could not load your seats. {describeError(seats.error).message}</Alert>;
  }
  const used = seats.data.members + seats.data.pending;
  return (
    <ProgressBar
      label="Seats"
      value={used}
      max={seats.data.allowed}
      tone={seats.data.full ? "warning" : "primary"}
      detail={seatsText(seats.data)}
      valueText={`Seats: ${seatsText(seats.data)}`}
    />
  );
}
