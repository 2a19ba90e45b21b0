import { Alert, Button, Card, SelectField } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useRef, useState } from "react";
import { FormAlert } from "../../components/FormAlert";
import { useMe } from "../../components/MeContext";
import { timeZoneChoices, utcOffsetLabel } from "../../lib/timezone";
import { useFormErrors } from "../../lib/useFormErrors";
import { useTRPC } from "../../trpc";

const timezoneFields = ["timezone"] as const;

/**
 * The account's timezone: dates in the portal, the CSV export and the emails, and the members' own
 * hours, are read in it. Owners and admins change it; agents see it.
 */
export function TimezoneSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user, account } = useMe();
  const canEdit = user.role !== "agent";
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, timezoneFields);
  const [zone, setZone] = useState(account.timezone);
  const choices = useMemo(
    () => timeZoneChoices(account.timezone).map((z) => ({ zone: z, label: `${z} (${utcOffsetLabel(z)})` })),
    [account.timezone],
  );
  const save = useMutation(
    trpc.account.updateTimezone.mutationOptions({
      // Everything dated in the portal follows the account's zone: read it all again.
      onSuccess: () => queryClient.invalidateQueries(),
      onError: errors.report,
    }),
  );
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    save.mutate({ timezone: zone });
  };

  return (
    <Card
      id="timezone"
      title="Timezone"
      description="Dates and times in the portal, the call export and our emails are shown in this timezone, and your team's working hours follow it."
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form form--wide">
        {save.isSuccess && !errors.error ? <Alert tone="success">Timezone saved.</Alert> : null}
        <FormAlert errors={errors} />
        <SelectField
          label="Account timezone"
          name="timezone"
          value={zone}
          disabled={!canEdit}
          hint={canEdit ? undefined : "Only owners and admins can change this."}
          error={errors.field("timezone")}
          onChange={(event) => {
            setZone(event.currentTarget.value);
            errors.fieldEdited("timezone");
          }}
        >
          {choices.map((choice) => (
            <option key={choice.zone} value={choice.zone}>
              {choice.label}
            </option>
          ))}
        </SelectField>
        {canEdit ? (
          <div className="form-actions">
            <Button
              type="submit"
              pending={save.isPending}
              pendingLabel="Saving…"
              disabled={zone === account.timezone}
            >
              Save timezone
            </Button>
          </div>
        ) : null}
      </form>
    </Card>
  );
}
