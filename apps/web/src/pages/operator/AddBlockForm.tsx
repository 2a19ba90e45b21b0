import { Alert, Button, SelectField, TextField } from "@cac/ui";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useFormErrors } from "../../lib/useFormErrors";
import { useTRPC } from "../../trpc";

const expiries: Array<[string, string]> = [
  ["", "Until cleared"],
  ["24", "24 hours"],
  ["168", "7 days"],
  ["720", "30 days"],
];

/** An operator's manual, site-wide block of an IP, with an optional expiry. */
export function AddBlockForm({ onBlocked }: { onBlocked: (ip: string) => void | Promise<void> }) {
  const trpc = useTRPC();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, ["ip", "reason", "expiresInHours"]);
  const [ip, setIp] = useState("");
  const [reason, setReason] = useState("");
  const [expiry, setExpiry] = useState("");
  const add = useMutation(
    trpc.abuse.addBlock.mutationOptions({
      onSuccess: async (_result, input) => {
        setIp("");
        setReason("");
        setExpiry("");
        errors.clear();
        await onBlocked(input.ip);
      },
      onError: (error) => errors.report(error),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ ip, reason, expiresInHours: expiry ? Number(expiry) : undefined });
  };

  return (
    <form ref={formRef} className="operator-block-form" onSubmit={submit} noValidate>
      {errors.error &&
      (errors.otherMessages.length > 0 || Object.keys(errors.error.fieldErrors).length === 0) ? (
        <Alert tone="error" ref={errors.alertRef}>
          {errors.otherMessages.length ? errors.otherMessages.join(" ") : errors.error.message}
        </Alert>
      ) : null}
      <TextField
        label="IP address"
        hint="For example 203.0.113.7 (IPv4) or 2001:db8::1 (IPv6: its whole /64 network is blocked)."
        required
        value={ip}
        spellCheck={false}
        autoComplete="off"
        error={errors.field("ip")}
        onChange={(event) => {
          setIp(event.target.value);
          errors.fieldEdited("ip");
        }}
      />
      <TextField
        label="Reason"
        hint="Shown to other operators."
        required
        maxLength={500}
        value={reason}
        error={errors.field("reason")}
        onChange={(event) => {
          setReason(event.target.value);
          errors.fieldEdited("reason");
        }}
      />
      <SelectField
        label="Blocked for"
        value={expiry}
        error={errors.field("expiresInHours")}
        onChange={(event) => {
          setExpiry(event.target.value);
          errors.fieldEdited("expiresInHours");
        }}
      >
        {expiries.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </SelectField>
      <Button type="submit" pending={add.isPending} pendingLabel="Blocking…">
        Block IP
      </Button>
    </form>
  );
}
