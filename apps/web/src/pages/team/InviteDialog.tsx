import { Button, Modal, SelectField, TextField } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef } from "react";
import { FormAlert } from "../../components/FormAlert";
import { useFormErrors } from "../../lib/useFormErrors";
import { useFormFields } from "../../lib/useFormFields";
import { useTRPC } from "../../trpc";
import { assignableRoles, type Role, roleHints, roleLabels } from "./roles";

const fields = ["email", "role"] as const;

/**
 * The invite dialog: an address and a role. Owners and admins invite; the emailed link works once,
 * for 7 days. Focus returns to `returnTo` when it closes.
 */
export function InviteDialog({
  actor,
  open,
  onClose,
  onSent,
  returnTo,
}: {
  actor: Role;
  open: boolean;
  onClose: () => void;
  onSent: (email: string) => void;
  returnTo: () => HTMLElement | null;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields({ email: "", role: "agent" }, errors);
  const invite = useMutation(
    trpc.team.invite.mutationOptions({
      onSuccess: async (invitation) => {
        form.setValues({ email: "", role: form.values.role });
        onSent(invitation.email);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.team.invitations.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.team.seats.queryKey() }),
        ]);
      },
      onError: errors.report,
    }),
  );
  const close = () => {
    errors.clear();
    invite.reset();
    onClose();
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    invite.mutate({ email: form.values.email, role: form.values.role as Role });
  };
  const role = form.values.role as Role;

  return (
    <Modal
      open={open}
      title="Invite a member"
      description="We email them a link that works once, for 7 days. Pending invitations count toward your plan's seats."
      busy={invite.isPending}
      onClose={close}
      returnFocus={returnTo}
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        <FormAlert errors={errors} />
        <TextField
          label="Email"
          type="email"
          autoComplete="off"
          inputMode="email"
          required
          {...form.text("email")}
        />
        <SelectField
          label="Role"
          hint={roleHints[role]}
          value={role}
          name="role"
          error={errors.field("role")}
          onChange={(event) => form.set("role", event.target.value)}
        >
          {assignableRoles(actor).map((option) => (
            <option key={option} value={option}>
              {roleLabels[option]}
            </option>
          ))}
        </SelectField>
        <div className="ui-dialog-actions">
          <Button variant="secondary" onClick={close} disabled={invite.isPending}>
            Cancel
          </Button>
          <Button type="submit" pending={invite.isPending} pendingLabel="Sending…">
            Send invitation
          </Button>
        </div>
      </form>
    </Modal>
  );
}
