import { SelectField } from "@cac/ui";
import { ColorField, ContrastNote, LogoField, ThemeField } from "./AppearanceFields";
import { type ButtonView, type Draft, type DraftProblems, icons, positions, shapes, sizes } from "./draft";
import { EditorSection } from "./EditorSection";
import type { PendingLogo } from "./logo-upload";

export type UpdateDraft = <K extends keyof Draft>(key: K, value: Draft[K]) => void;

/** Colors, size, shape, position, icon and logo of the button. */
export function AppearanceSection({
  draft,
  update,
  problems,
  styleError,
  button,
  logoUrl,
  onLogo,
  pendingLogo = null,
  onPendingLogo,
}: {
  draft: Draft;
  update: UpdateDraft;
  /** The draft's own checks, by field. */
  problems: DraftProblems;
  /** The server's messages about the style. */
  styleError: string[] | undefined;
  button: ButtonView | null;
  logoUrl: string | null;
  onLogo: (url: string | null) => void;
  /** A logo chosen before the button exists (the wizard uploads it once the button is created). */
  pendingLogo?: PendingLogo | null;
  onPendingLogo?: (file: File | null) => void;
}) {
  return (
    <EditorSection id="appearance" title="Appearance">
      <div className="stack">
        <div className="form-grid">
          <ColorField
            label="Background color"
            value={draft.background}
            onChange={(value) => update("background", value)}
            error={problems.background ?? styleError}
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
        <ThemeField
          theme={draft.theme}
          background={draft.background}
          onChange={(value) => update("theme", value)}
        />
        <LogoField
          button={button ? { ...button, logoUrl } : null}
          onChange={onLogo}
          pending={pendingLogo}
          onPending={onPendingLogo}
        />
      </div>
    </EditorSection>
  );
}
