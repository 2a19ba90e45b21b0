import { Alert } from "@cac/ui";
import { Link } from "react-router";
import { FormAlert } from "../../components/FormAlert";
import type { ButtonDraft } from "./useButtonDraft";

/** What stopped the last save: the draft's own checks, or the server's answer (plan limits with a way out). */
export function DraftAlerts({ form, activeHint }: { form: ButtonDraft; activeHint: string }) {
  const { errors, draft, checkFailed, problems } = form;
  const planLimit = errors.error?.appCode === "PLAN_LIMIT";
  return (
    <>
      {checkFailed && Object.keys(problems).length > 0 ? (
        <Alert tone="error" title="Some fields need your attention.">
          The marked fields are not complete yet.
        </Alert>
      ) : null}
      <FormAlert errors={errors}>
        {planLimit ? (
          <>
            {draft.enabled && !errors.error?.fieldErrors.phoneNumber ? (
              <p className="editor-alert-note">You can also save it turned off: {activeHint}</p>
            ) : null}
            <Link to="/billing" className="ui-button ui-button--secondary ui-button--sm">
              See plans in Billing
            </Link>
          </>
        ) : null}
      </FormAlert>
    </>
  );
}
