import { Alert, Button, Card, Checkbox, ConfirmDialog, SelectField, Switch, TextField } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useCallback, useEffect, useRef, useState } from "react";
import { Link, useBlocker, useNavigate } from "react-router";
import { FormAlert } from "../../components/FormAlert";
import { useMe } from "../../components/MeContext";
import { TestModeNotice } from "../../components/TestModeNotice";
import { useSystemInfo } from "../../lib/system";
import { useFormErrors } from "../../lib/useFormErrors";
import { useTRPC } from "../../trpc";
import { ColorField, ContrastNote, LogoField } from "./AppearanceFields";
import {
  type ButtonView,
  type ClosedBehavior,
  type Draft,
  draftFromView,
  draftSignature,
  hoursProblemsByDay,
  icons,
  newDraft,
  positions,
  shapes,
  sizes,
  toFields,
} from "./draft";
import { HoursEditor } from "./HoursEditor";
import { DomainsEditor, HolidaysEditor } from "./ListEditors";
import { SnippetBox } from "./SnippetBox";
import { type PreviewMode, usePreview } from "./usePreview";
import { WidgetPreview } from "./WidgetPreview";

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

const closedOptions: ReadonlyArray<{ value: ClosedBehavior; label: string; hint: string }> = [
  {
    value: "message",
    label: "Show when you are back",
    hint: "The button stays visible with “Closed — back at 9:00 AM”, in the visitor's local time.",
  },
  {
    value: "callback",
    label: "Offer a callback request",
    hint: "Visitors leave their name and number. Requests appear under Callbacks and are emailed to you.",
  },
  { value: "hide", label: "Hide the button", hint: "Nothing shows on your site while you are closed." },
];

function Section({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card id={id} title={title} description={description} className="editor-section">
      {children}
    </Card>
  );
}

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

  const [draft, setDraft] = useState<Draft>(() => (button ? draftFromView(button) : newDraft()));
  const [savedSignature, setSavedSignature] = useState(() => draftSignature(draft));
  const [logoUrl, setLogoUrl] = useState(button?.logoUrl ?? null);
  const [checkFailed, setCheckFailed] = useState(false);
  const [savedNotice, setSavedNotice] = useState(created ? "created" : null);
  const [mode, setMode] = useState<PreviewMode>("open");
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
  const allowLeave = useRef(false);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  const blocker = useBlocker(
    useCallback(
      ({ currentLocation, nextLocation }) =>
        !allowLeave.current && dirtyRef.current && currentLocation.pathname !== nextLocation.pathname,
      [],
    ),
  );
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

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
  const preview = usePreview(draft, mode, { publicId: button?.publicId ?? null, logoUrl });
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

        <Section id="basics" title="Basics">
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
        </Section>

        <Section id="appearance" title="Appearance">
          <div className="stack">
            <div className="form-grid">
              <ColorField
                label="Background color"
                value={draft.background}
                onChange={(value) => update("background", value)}
                error={problems.background ?? errors.field("style")}
              />
              <ColorField
                label="Text color"
                value={draft.text}
                onChange={(value) => update("text", value)}
                error={problems.text}
              />
            </div>
            <ContrastNote background={draft.background} text={draft.text} />
            <div className="form-grid form-grid--compact">
              <SelectField
                label="Size"
                value={draft.size}
                onChange={(event) => update("size", event.target.value as Draft["size"])}
              >
                {sizes.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </SelectField>
              <SelectField
                label="Shape"
                value={draft.shape}
                onChange={(event) => update("shape", event.target.value as Draft["shape"])}
              >
                {shapes.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </SelectField>
              <SelectField
                label="Position"
                value={draft.position}
                onChange={(event) => update("position", event.target.value as Draft["position"])}
                hint={
                  draft.position === "inline" ? (
                    <>
                      Add <code>&lt;div data-clickandcall&gt;&lt;/div&gt;</code> where the button goes.
                    </>
                  ) : undefined
                }
              >
                {positions.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </SelectField>
              <SelectField
                label="Icon"
                value={draft.icon}
                onChange={(event) => update("icon", event.target.value as Draft["icon"])}
                hint={logoUrl ? "Your logo replaces the icon." : undefined}
              >
                {icons.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </SelectField>
            </div>
            <LogoField button={button ? { ...button, logoUrl } : null} onChange={setLogoUrl} />
          </div>
        </Section>

        <Section
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
        </Section>

        <Section id="hours" title="Opening hours" description="Visitors can call while you are open.">
          <HoursEditor
            draft={draft}
            onHours={(hours) => update("hours", hours)}
            onTimezone={(timezone) => update("timezone", timezone)}
            problems={hoursProblems}
            serverMessages={errors.field("hours")}
            timezoneError={errors.field("timezone")}
          />
        </Section>

        <Section id="holidays" title="Closed dates">
          <HolidaysEditor
            holidays={draft.holidays}
            onChange={(holidays) => update("holidays", holidays)}
            error={errors.field("holidays")}
          />
        </Section>

        <Section id="closed" title="When you are closed">
          <fieldset
            className="choice-group"
            aria-describedby={errors.field("closedBehavior") ? "closed-error" : undefined}
          >
            <legend className="ui-visually-hidden">When you are closed</legend>
            {closedOptions.map((option) => (
              <label key={option.value} className="choice">
                <input
                  type="radio"
                  name="closedBehavior"
                  value={option.value}
                  checked={draft.closedBehavior === option.value}
                  onChange={() => update("closedBehavior", option.value)}
                />
                <span className="choice-text">
                  <span className="choice-label">{option.label}</span>
                  <span className="choice-hint">{option.hint}</span>
                </span>
              </label>
            ))}
          </fieldset>
          {errors.field("closedBehavior") ? (
            <p className="ui-field-error" id="closed-error">
              {errors.field("closedBehavior")?.join(" ")}
            </p>
          ) : null}
        </Section>

        <Section id="domains" title="Allowed websites">
          <DomainsEditor
            domains={draft.allowedDomains}
            onChange={(domains) => update("allowedDomains", domains)}
            error={errors.field("allowedDomains")}
            production={production}
          />
        </Section>

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
        <Card
          id="preview"
          title="Live preview"
          description="The real widget, as visitors will see it. Click it to try the dialog."
        >
          <div className="stack">
            <fieldset className="segmented">
              <legend className="segmented-legend">Preview as</legend>
              {(["open", "closed"] as const).map((value) => (
                <label key={value} className="segmented-option">
                  <input
                    type="radio"
                    name="preview-mode"
                    value={value}
                    checked={mode === value}
                    onChange={() => setMode(value)}
                  />
                  <span>{value === "open" ? "Open" : "Closed"}</span>
                </label>
              ))}
            </fieldset>
            <p className="preview-status">
              {preview.openNow ? "Open right now" : "Closed right now"} ({draft.timezone.replaceAll("_", " ")}
              ).
              {preview.shifted ? (
                <> Showing {mode === "open" ? "the next opening" : "the next closing"}.</>
              ) : null}
            </p>
            {preview.note ? <Alert tone="info">{preview.note}</Alert> : null}
            <WidgetPreview config={preview.config} now={preview.now} />
            <p className="ui-hint">Times in the preview are in your timezone; visitors see theirs.</p>
          </div>
        </Card>
        <Card id="snippet" title="Add it to your site">
          {button ? (
            <div className="stack">
              <SnippetBox snippet={button.snippet} />
              <TestModeNotice />
              {button.enabled ? null : (
                <Alert tone="warning">
                  This button is turned off: the snippet shows nothing until it is active.
                </Alert>
              )}
            </div>
          ) : (
            <p className="muted">
              Create the button to get its snippet: one line of HTML to paste into your site.
            </p>
          )}
        </Card>
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
