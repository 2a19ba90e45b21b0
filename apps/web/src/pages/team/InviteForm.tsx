import { Alert, Button, Card, SelectField, TextField } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef } from "react";
import { FormAlert } from "../../components/FormAlert";
import { useFormErrors } from "../../lib/useFormErrors";
import { useFormFields } from "../../lib/useFormFields";
import { useTRPC } from "../../trpc";
import { assignableRoles, type Role, roleHints, roleLabels } from "./roles";

const fields = ["email", "role"] as const;

/** Owners and admins invite by email; the link works once, for 7 days. */
export function InviteForm({ actor }: { actor: Role }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields({ email: "", role: "agent" }, errors);
  const invite = useMutation(
    trpc.team.invite.mutationOptions({
      onSuccess: () => {
        form.setValues({ email: "", role: form.values.role });
        return queryClient.invalidateQueries({ queryKey: trpc.team.invitations.queryKey() });
      },
      onError: errors.report,
    }),
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    invite.reset();
    invite.mutate({ email: form.values.email, role: form.values.role as Role });
  };
  const role = form.values.role as Role;
  return (
    <Card
      id="invite"
      title="Invite a member"
      description="We email them a link that works once, for 7 days. Pending invitations count toward your plan's seats."
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form form--narrow">
        <div aria-live="polite">
          {invite.isSuccess ? (
            <Alert tone="success" title="Invitation sent">
              We emailed {invite.data.email} a link to join.
            </Alert>
          ) : null}
        </div>
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
        <div className="form-actions">
          <Button type="submit" pending={invite.isPending} pendingLabel="Sending…">
            Send invitation
          </Button>
        </div>
      </form>
    </Card>
  );
}
