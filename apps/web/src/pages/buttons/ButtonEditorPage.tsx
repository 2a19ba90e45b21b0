import "./buttons.css";
import { buttonClass, ErrorState, PageHeader, Skeleton } from "@cac/ui";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router";
import { describeError } from "../../lib/errors";
import { usePageTitle } from "../../lib/usePageTitle";
import { useTRPC } from "../../trpc";
import { ButtonEditor } from "./ButtonEditor";
import { ButtonWizard } from "./ButtonWizard";

const backLink = (
  <Link to="/buttons" className={buttonClass({ variant: "secondary", size: "sm" })}>
    All buttons
  </Link>
);

export function NewButtonPage() {
  usePageTitle("New call button");
  return (
    <div className="stack-lg">
      <PageHeader
        title="New call button"
        description="Four short steps with a live preview. Everything can be changed later."
        actions={backLink}
      />
      <ButtonWizard />
    </div>
  );
}

export function EditButtonPage() {
  const { id = "" } = useParams();
  const trpc = useTRPC();
  const button = useQuery(trpc.buttons.get.queryOptions({ id }));
  usePageTitle(button.data ? `${button.data.name} · Buttons` : "Edit call button");

  return (
    <div className="stack-lg">
      <PageHeader
        title={button.data?.name ?? "Edit call button"}
        description={button.data ? `Public id ${button.data.publicId}` : undefined}
        actions={backLink}
      />
      {button.isPending ? (
        <div className="ui-card editor-loading">
          <Skeleton lines={8} label="Loading the button…" />
        </div>
      ) : button.isError ? (
        <ErrorState
          title="We could not load this button"
          message={describeError(button.error).message}
          // A missing button will not appear by retrying; a network failure might recover.
          onRetry={
            [400, 404].includes(describeError(button.error).httpStatus ?? 0)
              ? undefined
              : () => button.refetch()
          }
          retrying={button.isFetching}
        />
      ) : (
        <ButtonEditor key={button.data.id} button={button.data} />
      )}
    </div>
  );
}
