import { Alert, Button, Checkbox, ConfirmDialog, Switch, TextField } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { FormAlert } from "../../components/FormAlert";
import { useMe } from "../../components/MeContext";
import { useSystemInfo } from "../../lib/system";
import { useFormErrors } from "../../lib/useFormErrors";
import { useTRPC } from "../../trpc";
import { AppearanceSection } from "./AppearanceSection";
import { ClosedBehaviorSection } from "./ClosedBehaviorSection";
import {
  type ButtonView,
  type Draft,
  draftFromView,
  draftSignature,
  hoursProblemsByDay,
  newDraft,
  toFields,
} from "./draft";
import { EditorSection } from "./EditorSection";
import { HoursEditor } from "./HoursEditor";
import { DomainsEditor, HolidaysEditor } from "./ListEditors";
import { PreviewCard } from "./PreviewCard";
import { SnippetCard } from "./SnippetCard";
import { useLeaveGuard } from "./useLeaveGuard";

/** The fields the server names in `fieldErrors`; anything else goes in the form's alert. */
const knownFields = [
  "name",
  "label",
  "enabled",
  "style",
  "phoneNumber",
  "ringPortal",
  "timezone",
  "hours",
  "holidays",
  "closedBehavior",
  "allowedDomains",
] as const;

/** Which server field a draft key is validated under. */
const fieldOf = (key: keyof Draft): string =>
  ["background", "text", "size", "shape", "position", "icon"].includes(key) ? "style" : key;

/**
 * Create or edit a call button. What people type is kept in a draft until it saves; the server's
 * field messages show next to their fields and never clear the draft.
 */
export function ButtonEditor({ button, created = false }: { button: ButtonView | null; created?: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { account } = useMe();
  const system = useSystemInfo();
  const production = system.data?.production ?? false;
  const formRef = useRef<HTMLFormElement>(null);
  const errors = useFormErrors(formRef, knownFields);

  const [draft, setDraft] = useState<Draft>(() =>
    button ? draftFromView(button) : newDraft(account.websiteUrl),
  );
  const [savedSignature, setSavedSignature] = useState(() => draftSignature(draft));
  const [logoUrl, setLogoUrl] = useState(button?.logoUrl ?? null);
  const [checkFailed, setCheckFailed] = useState(false);
  const [savedNotice, setSavedNotice] = useState(created ? "created" : null);
  const signature = draftSignature(draft);
  const dirty = signature !== savedSignature;

  const update = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((current) => ({ ...current, [key]: value }));
    errors.fieldEdited(fieldOf(key));
    setSavedNotice(null);
  };
  const text = (key: "name" | "label" | "phoneNumber") => ({
    value: draft[key],
    onChange: (event: { target: { value: string } }) => update(key, event.target.value),
    error: errors.field(key),
  });

  // Unsaved changes: ask before leaving the page in the portal, and before closing the tab.
  const { blocker, allowLeave } = useLeaveGuard(dirty);

  const store = (view: ButtonView) => {
    queryClient.setQueryData(trpc.buttons.get.queryKey({ id: view.id }), view);
    void queryClient.invalidateQueries({ queryKey: trpc.buttons.list.queryKey() });
  };
  // The draft as it was sent, so a reply does not overwrite edits made while it was on its way.
  const submitted = useRef("");
  const create = useMutation(
    trpc.buttons.create.mutationOptions({
      onSuccess: (view) => {
        store(view);
        allowLeave.current = true;
        navigate(`/buttons/${view.id}`, { replace: true, state: { created: true } });
      },
      onError: errors.report,
    }),
  );
  const save = useMutation(
    trpc.buttons.update.mutationOptions({
      onSuccess: (view) => {
        store(view);
        const fromServer = draftFromView(view);
        setDraft((current) => (draftSignature(current) === submitted.current ? fromServer : current));
        setSavedSignature(draftSignature(fromServer));
        setSavedNotice("saved");
      },
      onError: errors.report,
    }),
  );
  const pending = create.isPending || save.isPending;
  // A site allowed from the install status is saved at once; the draft takes the new domain too.
  const takeAllowed = (view: ButtonView) => {
    const fromServer = draftFromView(view);
    setDraft((current) => (dirty ? { ...current, allowedDomains: fromServer.allowedDomains } : fromServer));
    setSavedSignature(draftSignature(fromServer));
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    errors.clear();
    setSavedNotice(null);
    const { fields, problems } = toFields(draft);
    if (Object.keys(problems).length > 0) {
      setCheckFailed(true);
      // The invalid inputs are already marked (aria-invalid): take people to the first one.
      requestAnimationFrame(() =>
        formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(),
      );
      return;
    }
    setCheckFailed(false);
    submitted.current = signature;
    if (button) save.mutate({ id: button.id, fields });
    else create.mutate(fields);
  };

  const hoursProblems = hoursProblemsByDay(draft);
  const { problems } = toFields(draft);
  const planLimit = errors.error?.appCode === "PLAN_LIMIT";
  const freePlan = account.plan === "free";

  return (
    <div className="editor-layout">
      <form ref={formRef} onSubmit={onSubmit} noValidate className="editor-form" aria-label="Button settings">
        {/* On narrow screens the preview comes after the form. */}
        <a href="#preview" className="editor-preview-link">
          Jump to the live preview
        </a>
        {savedNotice === "created" ? (
          <Alert tone="success" title="Button created">
            Copy the embed snippet into your site to show it to visitors.
          </Alert>
        ) : null}
        {checkFailed && Object.keys(problems).length > 0 ? (
          <Alert tone="error" title="Some fields need your attention.">
            The marked fields are not complete yet.
          </Alert>
        ) : null}
        <FormAlert errors={errors}>
          {planLimit ? (
            <>
              {draft.enabled && !errors.error?.fieldErrors.phoneNumber ? (
                <p className="editor-alert-note">
                  You can also save it turned off: switch off “Active” under Basics.
                </p>
              ) : null}
              <Link to="/billing" className="ui-button ui-button--secondary ui-button--sm">
                See plans in Billing
              </Link>
            </>
          ) : null}
        </FormAlert>

        <EditorSection id="basics" title="Basics">
          <div className="form-grid">
            <TextField
              label="Name"
              hint="For you only, e.g. “Main website”."
              required
              maxLength={80}
              autoComplete="off"
              {...text("name")}
            />
            <TextField
              label="Button text"
              hint="What visitors read on the button."
              required
              maxLength={40}
              autoComplete="off"
              {...text("label")}
            />
          </div>
          <Switch
            label="Active: show this button on your site"
            checked={draft.enabled}
            onChange={(event) => update("enabled", event.target.checked)}
          />
          {button?.disabledReason && !draft.enabled ? (
            <p className="ui-hint">{button.disabledReason}</p>
          ) : null}
        </EditorSection>

        <AppearanceSection
          draft={draft}
          update={update}
          problems={problems}
          styleError={errors.field("style")}
          button={button}
          logoUrl={logoUrl}
          onLogo={setLogoUrl}
        />

        <EditorSection
          id="destination"
          title="Where calls ring"
          description="Answer in this portal, on a phone, or both: the first to pick up takes the call."
        >
          <div className="stack">
            <Checkbox
              label="Ring in the portal"
              hint="Answer in your browser while the portal is open and you are available."
              checked={draft.ringPortal}
              onChange={(event) => update("ringPortal", event.target.checked)}
              error={errors.field("ringPortal")}
            />
            <TextField
              label="Phone number (US)"
              type="tel"
              autoComplete="off"
              inputMode="tel"
              placeholder="(202) 555-0123"
              hint={
                freePlan ? (
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
        </EditorSection>

        <EditorSection id="hours" title="Opening hours" description="Visitors can call while you are open.">
          <HoursEditor
            draft={draft}
            onHours={(hours) => update("hours", hours)}
            onTimezone={(timezone) => update("timezone", timezone)}
            problems={hoursProblems}
            serverMessages={errors.field("hours")}
            timezoneError={errors.field("timezone")}
          />
        </EditorSection>

        <EditorSection id="holidays" title="Closed dates">
          <HolidaysEditor
            holidays={draft.holidays}
            onChange={(holidays) => update("holidays", holidays)}
            error={errors.field("holidays")}
          />
        </EditorSection>

        <ClosedBehaviorSection
          value={draft.closedBehavior}
          onChange={(value) => update("closedBehavior", value)}
          error={errors.field("closedBehavior")}
        />

        <EditorSection id="domains" title="Allowed websites">
          <DomainsEditor
            domains={draft.allowedDomains}
            onChange={(domains) => update("allowedDomains", domains)}
            error={errors.field("allowedDomains")}
            production={production}
          />
        </EditorSection>

        <div className="editor-savebar">
          <Button type="submit" pending={pending} pendingLabel={button ? "Saving…" : "Creating…"}>
            {button ? "Save changes" : "Create button"}
          </Button>
          <Link to="/buttons" className="ui-button ui-button--ghost">
            {dirty ? "Cancel" : "Back to buttons"}
          </Link>
          <p className="editor-savebar-status" role="status">
            {savedNotice === "saved" && !dirty ? "All changes saved." : dirty ? "Unsaved changes" : null}
          </p>
        </div>
      </form>

      <aside className="editor-aside" aria-label="Preview and snippet">
        <PreviewCard draft={draft} publicId={button?.publicId ?? null} logoUrl={logoUrl} />
        <SnippetCard button={button} onAllowed={takeAllowed} />
      </aside>

      <ConfirmDialog
        open={blocker.state === "blocked"}
        title="Leave without saving?"
        confirmLabel="Leave without saving"
        cancelLabel="Stay on this page"
        onConfirm={() => blocker.proceed?.()}
        onCancel={() => blocker.reset?.()}
      >
        <p>Your changes to this button have not been saved.</p>
      </ConfirmDialog>
    </div>
  );
}
