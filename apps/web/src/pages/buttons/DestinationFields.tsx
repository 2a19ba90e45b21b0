import { Checkbox, TextField } from "@cac/ui";
import { Link } from "react-router";
import { useMe } from "../../components/MeContext";
import type { ButtonDraft } from "./useButtonDraft";

/** Whether calls ring in the portal, and the phone number they ring. */
export function DestinationFields({ form }: { form: ButtonDraft }) {
  const { account } = useMe();
  const { draft, text, update, errors } = form;
  return (
    <div className="stack">
      <Checkbox
        label="Ring in the portal"
        hint="Answer in your browser while the portal is open and you are available."
        checked={draft.ringPortal}
        onChange={(event) => update("ringPortal", event.target.checked)}
        error={errors.field("ringPortal")}
      />
      <Checkbox
        label="Tell us who is calling"
        hint="With each call and callback request, the widget sends where the visitor came from (referrer and campaign parameters), their device type and local time. Your privacy notice should mention it."
        checked={draft.collectContext}
        onChange={(event) => update("collectContext", event.target.checked)}
        error={errors.field("collectContext")}
      />
      <TextField
        label="Phone number (US)"
        type="tel"
        autoComplete="off"
        inputMode="tel"
        placeholder="(202) 555-0123"
        hint={
          account.plan === "free" ? (
            <>
              Ringing a phone number needs a paid plan. <Link to="/billing">See plans</Link>.
            </>
          ) : (
            "A US number (+1). Calls ring it over the phone network."
          )
        }
        {...text("phoneNumber")}
      />
    </div>
  );
}
