import { type EmbedPlatform, embedGuides } from "@cac/core/domain";
import { Alert, Button, SelectField, TextField } from "@cac/ui";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";
import type { ButtonView } from "./draft";

/** "Email these instructions to my developer": the snippet, the steps and the CSP note, by email. */
export function EmailInstructions({ button }: { button: ButtonView }) {
  const trpc = useTRPC();
  const [to, setTo] = useState("");
  const [platform, setPlatform] = useState<EmbedPlatform>("html");
  const send = useMutation(trpc.buttons.emailInstructions.mutationOptions());
  const failure = send.isError ? describeError(send.error) : null;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send.mutate({ id: button.id, to, platform });
  };
  return (
    <details className="embed-email">
      <summary>Email these instructions to my developer</summary>
      <form onSubmit={onSubmit} noValidate className="stack-sm" aria-label="Email the instructions">
        {send.isSuccess ? (
          <Alert tone="success">Sent to {send.variables?.to}. The email says it comes from you.</Alert>
        ) : null}
        {failure && !failure.fieldErrors.to ? <Alert tone="error">{failure.message}</Alert> : null}
        <TextField
          label="Developer's email"
          type="email"
          autoComplete="off"
          required
          value={to}
          onChange={(event) => setTo(event.target.value)}
          error={failure?.fieldErrors.to}
        />
        <SelectField
          label="Their site is built with"
          value={platform}
          onChange={(event) => setPlatform(event.target.value as EmbedPlatform)}
        >
          {embedGuides.map((g) => (
            <option key={g.id} value={g.id}>
              {g.label}
            </option>
          ))}
        </SelectField>
        <Button type="submit" variant="secondary" pending={send.isPending} pendingLabel="Sending…">
          Send the instructions
        </Button>
      </form>
    </details>
  );
}
