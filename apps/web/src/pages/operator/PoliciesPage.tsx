import "./policies.css";
import {
  Alert,
  Button,
  Card,
  EmptyState,
  ErrorState,
  FieldError,
  PageHeader,
  Skeleton,
  TextField,
} from "@cac/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useRef } from "react";
import { FormAlert } from "../../components/FormAlert";
import { useMe } from "../../components/MeContext";
import { describeError } from "../../lib/errors";
import { formatDateTime } from "../../lib/format";
import { formatPolicyDate, todayIso } from "../../lib/format-policy";
import { useFormErrors } from "../../lib/useFormErrors";
import { useFormFields } from "../../lib/useFormFields";
import { usePageTitle } from "../../lib/usePageTitle";
import { useTRPC } from "../../trpc";

/** Operators announce privacy policy updates; every account holder sees the newest until dismissed. */
export function PoliciesPage() {
  usePageTitle("Policy notices");
  const { isOperator } = useMe();
  return (
    <div className="stack-lg">
      <PageHeader
        title="Policy notices"
        description={
          <>
            When the <a href="/privacy">privacy policy</a> changes, publish a notice: every account holder
            sees the newest one across the portal until they dismiss it.
          </>
        }
      />
      {isOperator ? (
        <>
          <PublishCard />
          <NoticesCard />
        </>
      ) : (
        <Alert tone="error" title="This page is for Click & Call operators">
          Your account cannot publish policy notices.
        </Alert>
      )}
    </div>
  );
}

const fields = ["version", "effectiveAt", "summary"] as const;

function PublishCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, fields);
  const form = useFormFields({ version: "", effectiveAt: todayIso(), summary: "" }, errors);
  const summaryId = `summary${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const publish = useMutation(
    trpc.policy.publish.mutationOptions({
      onSuccess: async () => {
        form.setValues({ version: "", effectiveAt: todayIso(), summary: "" });
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.policy.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.policy.current.queryKey() }),
        ]);
      },
      onError: errors.report,
    }),
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    publish.reset();
    publish.mutate(form.values);
  };
  const summaryErrors = errors.field("summary") ?? [];

  return (
    <Card
      title="Publish an update"
      description="The summary is shown in the banner, with a link to the full policy."
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form form--wide">
        {publish.isSuccess ? (
          <Alert tone="success" title={`Version ${publish.data.version} is published`}>
            Account holders see it from their next page load.
          </Alert>
        ) : null}
        <FormAlert errors={errors} />
        <div className="form-grid">
          <TextField
            label="Version"
            required
            hint="For example 2026-06 or v3. Each version is published once."
            {...form.text("version")}
          />
          <TextField label="Effective date" type="date" required {...form.text("effectiveAt")} />
        </div>
        <div className={summaryErrors.length ? "ui-field ui-field--invalid" : "ui-field"}>
          <label className="ui-label" htmlFor={summaryId}>
            Summary of the changes
          </label>
          <p className="ui-hint" id={`${summaryId}-hint`}>
            One or two sentences, up to 500 characters.
          </p>
          <textarea
            id={summaryId}
            name="summary"
            className="ui-input policies-summary"
            rows={3}
            maxLength={500}
            required
            aria-required
            aria-invalid={summaryErrors.length > 0 || undefined}
            aria-describedby={`${summaryErrors.length ? `${summaryId}-error ` : ""}${summaryId}-hint`}
            value={form.values.summary}
            onChange={(event) => form.set("summary", event.target.value)}
          />
          <FieldError id={summaryErrors.length ? `${summaryId}-error` : undefined} messages={summaryErrors} />
        </div>
        <div className="form-actions">
          <Button type="submit" pending={publish.isPending} pendingLabel="Publishing…">
            Publish notice
          </Button>
        </div>
      </form>
    </Card>
  );
}

function NoticesCard() {
  const trpc = useTRPC();
  const notices = useQuery(trpc.policy.list.queryOptions());
  return (
    <Card title="Published notices" description="Newest first. Only the newest is shown to account holders.">
      {notices.isPending ? (
        <Skeleton lines={3} label="Loading notices…" />
      ) : notices.isError ? (
        <ErrorState
          title="We could not load the notices"
          message={describeError(notices.error).message}
          onRetry={() => notices.refetch()}
          retrying={notices.isFetching}
        />
      ) : notices.data.length === 0 ? (
        <EmptyState title="No notices yet" headingLevel={3}>
          Publish one above when the privacy policy changes.
        </EmptyState>
      ) : (
        <div className="ui-table-scroll">
          <table className="ui-table policies-table">
            <caption className="ui-visually-hidden">Published policy notices</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Effective</th>
                <th scope="col">Published</th>
                <th scope="col">Summary</th>
                <th scope="col">Dismissed by</th>
              </tr>
            </thead>
            <tbody>
              {notices.data.map((notice) => (
                <tr key={notice.id}>
                  <th scope="row">{notice.version}</th>
                  <td>{formatPolicyDate(notice.effectiveAt)}</td>
                  <td>{formatDateTime(notice.publishedAt)}</td>
                  <td>{notice.summary}</td>
                  <td>
                    {notice.dismissals} {notice.dismissals === 1 ? "person" : "people"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
