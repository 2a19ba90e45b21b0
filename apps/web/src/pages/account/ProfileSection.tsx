import { Alert, Button, Card, TextField } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef } from "react";
import { FormAlert } from "../../components/FormAlert";
import { useMe } from "../../components/MeContext";
import { displayUrl, formatUsPhone } from "../../lib/format";
import { useFormErrors } from "../../lib/useFormErrors";
import { useFormFields } from "../../lib/useFormFields";
import { useTRPC } from "../../trpc";

const profileFields = ["name", "companyName", "websiteUrl", "phone"] as const;

/** Everyone's own name; the company details, which only the owner may change. */
export function ProfileSection() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { user, account } = useMe();
  const isOwner = user.role === "owner";
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, profileFields);
  const form = useFormFields(
    () => ({
      name: user.name,
      companyName: account.companyName,
      websiteUrl: displayUrl(account.websiteUrl),
      phone: formatUsPhone(account.phone),
    }),
    errors,
  );
  const save = useMutation(
    trpc.account.updateProfile.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() }),
      onError: errors.report,
    }),
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    const { name, ...company } = form.values;
    // Only the owner may change the company details; others send their own name alone.
    save.mutate(isOwner ? { name, ...company } : { name });
  };
  const readOnlyHint = isOwner ? undefined : "Only the account owner can change this.";

  return (
    <Card
      id="profile"
      title="Profile"
      description={
        <>
          You log in with <strong className="break">{user.email}</strong>.
        </>
      }
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form form--wide">
        {save.isSuccess && !errors.error ? <Alert tone="success">Profile saved.</Alert> : null}
        <FormAlert errors={errors} />
        <div className="form-grid">
          <TextField label="Your name" autoComplete="name" required {...form.text("name")} />
          <TextField
            label="Company name"
            autoComplete="organization"
            required
            readOnly={!isOwner}
            hint={readOnlyHint}
            {...form.text("companyName")}
          />
          <TextField
            label="Website"
            autoComplete="url"
            inputMode="url"
            required
            readOnly={!isOwner}
            hint={readOnlyHint}
            {...form.text("websiteUrl")}
          />
          <TextField
            label="Phone number (US)"
            type="tel"
            autoComplete="tel-national"
            required
            readOnly={!isOwner}
            hint={readOnlyHint}
            {...form.text("phone")}
          />
        </div>
        <div className="form-actions">
          <Button type="submit" pending={save.isPending}>
            Save profile
          </Button>
        </div>
      </form>
    </Card>
  );
}
