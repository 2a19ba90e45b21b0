import { Alert, Button } from "@cac/ui";
import { useState } from "react";
import { InviteDialog } from "./InviteDialog";
import type { Role } from "./roles";
import { SeatUsage, useSeats } from "./SeatUsage";

/**
 * The plan's seats, and for owners and admins the "Invite a member" button, which opens the invite
 * dialog; disabled, saying why, once members and open invitations fill the plan.
 */
export function TeamSeats({ actor }: { actor: Role | null }) {
  const seats = useSeats();
  const [open, setOpen] = useState(false);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const refusal = seats.data?.inviteRefusal ?? null;
  return (
    <section className="team-seats" aria-label="Seats">
      <SeatUsage seats={seats} />
      {actor ? (
        <>
          <div className="team-invite">
            <Button
              id="invite-button"
              disabled={!seats.isSuccess || refusal !== null}
              aria-describedby={refusal ? "invite-full" : undefined}
              onClick={() => {
                setSentTo(null);
                setOpen(true);
              }}
            >
              Invite a member
            </Button>
            {refusal ? (
              <p id="invite-full" className="team-invite-full">
                {refusal}
              </p>
            ) : null}
          </div>
          <InviteDialog
            actor={actor}
            open={open}
            onClose={() => setOpen(false)}
            onSent={(email) => {
              setOpen(false);
              setSentTo(email);
            }}
            returnTo={() =>
              document.getElementById("invite-sent") ?? document.getElementById("invite-button")
            }
          />
        </>
      ) : null}
      <div aria-live="polite">
        {sentTo ? (
          // Focus lands here once the dialog sent it (the button may be disabled by then: plan full).
          <div id="invite-sent" tabIndex={-1}>
            <Alert tone="success" title="Invitation sent">
              We emailed {sentTo} a link to join.
            </Alert>
          </div>
        ) : null}
      </div>
    </section>
  );
}
