import { Alert, Button, Card } from "@cac/ui";
import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { useSystemInfo } from "../../lib/system";
import { useTRPC } from "../../trpc";
import { AppearanceSection } from "./AppearanceSection";
import { BasicsFields } from "./BasicsFields";
import { ClosedBehaviorSection } from "./ClosedBehaviorSection";
import { DestinationFields } from "./DestinationFields";
import { DraftAlerts } from "./DraftAlerts";
import type { ButtonView } from "./draft";
import { EditorSection } from "./EditorSection";
import { HoursEditor } from "./HoursEditor";
import { LanguageSection } from "./LanguageSection";
import { LeaveDialog } from "./LeaveDialog";
import { DomainsEditor } from "./ListEditors";
import { type PendingLogo, uploadLogo } from "./logo-upload";
import { PreviewCard } from "./PreviewCard";
import { type RoutingControls, RoutingSection } from "./RoutingSection";
import { SnippetCard } from "./SnippetCard";
import { useButtonDraft } from "./useButtonDraft";

/** The wizard's steps, and the server fields each one shows (messages about others go in the alert). */
const steps = [
  { id: "look", title: "Look", fields: ["name", "label", "enabled", "style", "language", "texts"] },
  { id: "ring", title: "Where calls ring", fields: ["ringPortal", "phoneNumber"] },
  { id: "hours", title: "Hours", fields: ["timezone", "hours", "closedBehavior"] },
  { id: "install", title: "Install", fields: ["allowedDomains"] },
] as const;

/**
 * A new button in four short steps (look, where calls ring, hours, install) beside its live
 * preview. The defaults work as they are: always open, a callback request when closed, allowed on
 * the signup website. The button is created at the end of the first step (routing and the
 * snippet need it); each later Next saves the draft, and a refused save keeps what was typed.
 */
export function ButtonWizard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const system = useSystemInfo();
  const formId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [index, setIndex] = useState(0);
  const step = steps[index] ?? steps[0];
  const [view, setView] = useState<ButtonView | null>(null);
  // The routing keeps its own form; Next, Back and the leave guard take its pending changes too.
  const routing = useRef<RoutingControls | null>(null);
  const [routingDirty, setRoutingDirty] = useState(false);
  const [routingSaving, setRoutingSaving] = useState(false);
  const form = useButtonDraft(null, step.fields, routingDirty);
  const { draft, update, errors } = form;

  // A logo chosen before the button exists: kept here, uploaded once the button is created.
  const [pendingLogo, setPendingLogo] = useState<PendingLogo | null>(null);
  const [logoUrl, setLogoUrl] = useState<string | null>(null);
  const [logoError, setLogoError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const choosePending = (file: File | null) =>
    setPendingLogo((current) => {
      if (current) URL.revokeObjectURL(current.url);
      return file ? { file, url: URL.createObjectURL(file) } : null;
    });
  const pendingRef = useRef(pendingLogo);
  pendingRef.current = pendingLogo;
  useEffect(
    () => () => {
      if (pendingRef.current) URL.revokeObjectURL(pendingRef.current.url);
    },
    [],
  );

  const goTo = (next: number) => {
    setIndex(next);
    form.setSavedNotice(null);
    errors.clear();
    // The new step's title takes the focus, so keyboard and screen reader users start there.
    requestAnimationFrame(() => {
      headingRef.current?.focus({ preventScroll: true });
      headingRef.current?.scrollIntoView({ block: "nearest" });
    });
  };

  const created = async (button: ButtonView) => {
    setView(button);
    if (pendingLogo) {
      setUploading(true);
      const result = await uploadLogo(button.id, pendingLogo.file);
      setUploading(false);
      if (result.ok) {
        const withLogo = { ...button, logoUrl: result.logoUrl, logoKey: result.key ?? button.logoKey };
        setView(withLogo);
        setLogoUrl(result.logoUrl);
        queryClient.setQueryData(trpc.buttons.get.queryKey({ id: button.id }), withLogo);
        choosePending(null);
      } else {
        setLogoError(result.error);
      }
    }
    goTo(1);
  };

  /** Saves the routing shown on this step, if it changed; false (and its error shown) when refused. */
  const saveRouting = async () => {
    if (!routing.current) return true;
    setRoutingSaving(true);
    const ok = await routing.current.saveIfChanged();
    setRoutingSaving(false);
    if (!ok) document.getElementById("routing")?.scrollIntoView({ block: "nearest" });
    return ok;
  };
  const back = async () => {
    if (await saveRouting()) goTo(index - 1);
  };

  const last = index === steps.length - 1;
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!(await saveRouting())) return;
    const finish = (button: ButtonView) => {
      form.allowLeave.current = true;
      navigate(`/buttons/${button.id}`);
    };
    if (!view) form.submit(null, created);
    else if (form.dirty)
      form.submit(view, (saved) => {
        setView(saved);
        if (last) finish(saved);
        else goTo(index + 1);
      });
    else if (last) finish(view);
    else goTo(index + 1);
  };

  const nextLabel = !view ? "Create button" : last ? "Finish" : "Next";
  const shownLogo = view ? logoUrl : (pendingLogo?.url ?? null);

  return (
    <div className="wizard-layout">
      <div className="wizard-main">
        <ol className="wizard-steps" aria-label="Steps">
          {steps.map((s, i) => (
            <li
              key={s.id}
              className={`wizard-step${i === index ? " wizard-step--current" : i < index ? " wizard-step--done" : ""}`}
              aria-current={i === index ? "step" : undefined}
            >
              <span className="wizard-step-number" aria-hidden="true">
                {i + 1}
              </span>
              <span className="wizard-step-title">{s.title}</span>
            </li>
          ))}
        </ol>
        <h2 ref={headingRef} tabIndex={-1} className="wizard-heading">
          Step {index + 1} of {steps.length}: {step.title}
        </h2>

        {logoError && view ? (
          <Alert tone="warning" title="The button was created, but its logo was not uploaded.">
            {logoError} You can upload it again under Look.
          </Alert>
        ) : null}

        {step.id === "install" && view ? (
          <Card
            id="test-call"
            title="Try it now"
            description="No website needed: a page of ours with your button."
          >
            <p>
              <a
                className="ui-button ui-button--secondary"
                href={`/try/${view.publicId}`}
                target="_blank"
                rel="noopener"
              >
                Make a test call<span className="ui-visually-hidden"> (opens in a new tab)</span>
              </a>
            </p>
          </Card>
        ) : null}
        {step.id === "install" && view ? <SnippetCard button={view} onAllowed={form.takeAllowed} /> : null}

        <form
          id={formId}
          ref={form.formRef}
          onSubmit={onSubmit}
          noValidate
          className="editor-form"
          aria-label={`Step ${index + 1}: ${step.title}`}
        >
          <DraftAlerts form={form} activeHint="switch off “Active” under Look." />
          {step.id === "look" ? (
            <>
              <EditorSection id="basics" title="Name and text">
                <BasicsFields form={form} button={view} />
              </EditorSection>
              <AppearanceSection
                draft={draft}
                update={update}
                problems={form.problems}
                styleError={errors.field("style")}
                button={view}
                logoUrl={shownLogo}
                onLogo={setLogoUrl}
                pendingLogo={pendingLogo}
                onPendingLogo={choosePending}
              />
              <LanguageSection form={form} />
            </>
          ) : null}
          {step.id === "ring" ? (
            <EditorSection
              id="destination"
              title="Where calls ring"
              description="Answer in this portal, on a phone, or both: the first to pick up takes the call."
            >
              <DestinationFields form={form} />
            </EditorSection>
          ) : null}
          {step.id === "hours" ? (
            <>
              <EditorSection
                id="hours"
                title="Opening hours"
                description="Visitors can call while you are open. Closed dates are in the full editor."
              >
                <HoursEditor
                  draft={draft}
                  onHours={(hours) => update("hours", hours)}
                  onTimezone={(timezone) => update("timezone", timezone)}
                  problems={form.hoursProblems}
                  serverMessages={errors.field("hours")}
                  timezoneError={errors.field("timezone")}
                />
              </EditorSection>
              <ClosedBehaviorSection
                value={draft.closedBehavior}
                onChange={(value) => update("closedBehavior", value)}
                error={errors.field("closedBehavior")}
              />
            </>
          ) : null}
          {step.id === "install" ? (
            <EditorSection id="domains" title="Allowed websites">
              <DomainsEditor
                domains={draft.allowedDomains}
                onChange={(domains) => update("allowedDomains", domains)}
                error={errors.field("allowedDomains")}
                production={system.data?.production ?? false}
              />
            </EditorSection>
          ) : null}
        </form>

        {/* Routing is its own form (it needs the created button); Next and Back save it too. */}
        {step.id === "ring" && view ? (
          <RoutingSection
            buttonId={view.id}
            phoneNumber={view.phoneNumber}
            controls={routing}
            onDirtyChange={setRoutingDirty}
          />
        ) : null}

        <div className="editor-savebar">
          {index > 0 ? (
            <Button variant="secondary" onClick={back} disabled={form.pending || routingSaving}>
              Back
            </Button>
          ) : null}
          <Button
            type="submit"
            form={formId}
            pending={form.pending || uploading || routingSaving}
            pendingLabel={view ? "Saving…" : "Creating…"}
          >
            {nextLabel}
          </Button>
          <p className="editor-savebar-status" role="status">
            {!view
              ? "Creates the button; change anything later."
              : form.dirty || routingDirty
                ? "Unsaved changes"
                : `Step ${index + 1} of ${steps.length}`}
          </p>
        </div>
      </div>

      <aside className="wizard-aside" aria-label="Preview">
        <PreviewCard draft={draft} publicId={view?.publicId ?? null} logoUrl={shownLogo} />
      </aside>

      <LeaveDialog form={form} />
    </div>
  );
}
