import { Button } from "@cac/ui";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { useSystemInfo } from "../../lib/system";
import { AppearanceSection } from "./AppearanceSection";
import { BasicsFields } from "./BasicsFields";
import { ClosedBehaviorSection } from "./ClosedBehaviorSection";
import { ConversionSection } from "./ConversionSection";
import { DestinationFields } from "./DestinationFields";
import { DraftAlerts } from "./DraftAlerts";
import type { ButtonView } from "./draft";
import { EditorIndex } from "./EditorIndex";
import { EditorSection } from "./EditorSection";
import { HoursEditor } from "./HoursEditor";
import { LanguageSection } from "./LanguageSection";
import { LeaveDialog } from "./LeaveDialog";
import { DomainsEditor, HolidaysEditor } from "./ListEditors";
import { PreviewCard } from "./PreviewCard";
import { RoutingSection } from "./RoutingSection";
import { SnippetCard } from "./SnippetCard";
import { useButtonDraft } from "./useButtonDraft";

/** The editor's sections in page order, for its index. */
const sections = [
  { id: "basics", title: "Basics" },
  { id: "appearance", title: "Appearance" },
  { id: "destination", title: "Where calls ring" },
  { id: "hours", title: "Opening hours" },
  { id: "holidays", title: "Closed dates" },
  { id: "closed", title: "When closed" },
  { id: "language", title: "Language" },
  { id: "domains", title: "Allowed websites" },
  { id: "conversion", title: "Conversion tracking" },
  { id: "preview", title: "Preview" },
  { id: "snippet", title: "Install" },
  { id: "routing", title: "Call routing" },
] as const;

/**
 * Later changes to a saved button (a new one starts in the wizard): every setting in titled
 * sections with an index; the preview, the install and the call routing beside them.
 */
export function ButtonEditor({ button }: { button: ButtonView }) {
  const system = useSystemInfo();
  const production = system.data?.production ?? false;
  // The routing is saved with its own button; the leave guard covers its pending changes too.
  const [routingDirty, setRoutingDirty] = useState(false);
  const form = useButtonDraft(button, undefined, routingDirty);
  const { draft, update, errors, dirty, problems } = form;
  const [logoUrl, setLogoUrl] = useState(button.logoUrl);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    form.submit(button);
  };

  return (
    <div className="editor-layout">
      <div className="editor-main">
        <EditorIndex sections={sections} />
        <form
          ref={form.formRef}
          onSubmit={onSubmit}
          noValidate
          className="editor-form"
          aria-label="Button settings"
        >
          <DraftAlerts form={form} activeHint="switch off “Active” under Basics." />

          <EditorSection id="basics" title="Basics">
            <BasicsFields form={form} button={button} />
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
            <DestinationFields form={form} />
          </EditorSection>

          <EditorSection id="hours" title="Opening hours" description="Visitors can call while you are open.">
            <HoursEditor
              draft={draft}
              onHours={(hours) => update("hours", hours)}
              onTimezone={(timezone) => update("timezone", timezone)}
              problems={form.hoursProblems}
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

          <LanguageSection form={form} />

          <EditorSection id="domains" title="Allowed websites">
            <DomainsEditor
              domains={draft.allowedDomains}
              onChange={(domains) => update("allowedDomains", domains)}
              error={errors.field("allowedDomains")}
              production={production}
            />
          </EditorSection>

          <ConversionSection
            value={draft.conversionEvents}
            onChange={(value) => update("conversionEvents", value)}
            error={errors.field("conversionEvents")}
          />

          <div className="editor-savebar">
            <Button type="submit" pending={form.pending} pendingLabel="Saving…">
              Save changes
            </Button>
            <Link to="/buttons" className="ui-button ui-button--ghost">
              {dirty ? "Cancel" : "All buttons"}
            </Link>
            <p className="editor-savebar-status" role="status">
              {form.savedNotice === "saved" && !dirty
                ? "All changes saved."
                : dirty
                  ? "Unsaved changes"
                  : null}
            </p>
          </div>
        </form>
      </div>

      {/* Routing is saved on its own (its own form and button), so it sits apart from the Save bar. */}
      <aside className="editor-aside" aria-label="Preview, install and routing">
        <PreviewCard draft={draft} publicId={button.publicId} logoUrl={logoUrl} />
        <SnippetCard button={button} onAllowed={form.takeAllowed} />
        <RoutingSection
          buttonId={button.id}
          phoneNumber={button.phoneNumber}
          onDirtyChange={setRoutingDirty}
        />
      </aside>

      <LeaveDialog form={form} />
    </div>
  );
}
