import { widgetSurfaces } from "@cac/core/domain";
import { Alert, Button, FieldError, type FieldMessages, SelectField } from "@cac/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type ChangeEvent, useId, useRef, useState } from "react";
import { AA_NON_TEXT, AA_NORMAL_TEXT, contrastRatio, formatRatio, normalizeHex } from "../../lib/contrast";
import { describeError } from "../../lib/errors";
import { useTRPC } from "../../trpc";
import type { ButtonView, WidgetTheme } from "./draft";
import { logoFileProblem, type PendingLogo, uploadLogo } from "./logo-upload";

const messagesOf = (error: FieldMessages): string[] =>
  !error ? [] : typeof error === "string" ? [error] : [...error];

/** A color as a swatch picker plus its hex text, both editing the same value. */
export function ColorField({
  label,
  value,
  onChange,
  error,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: FieldMessages;
}) {
  const id = useId();
  const messages = messagesOf(error);
  const errorId = messages.length > 0 ? `${id}-error` : undefined;
  return (
    <div className={`ui-field${messages.length > 0 ? " ui-field--invalid" : ""}`}>
      <label className="ui-label" htmlFor={`${id}-hex`}>
        {label}
      </label>
      <div className="color-field">
        <input
          type="color"
          className="color-swatch"
          aria-label={`${label}: color picker`}
          value={normalizeHex(value) ?? "#000000"}
          onChange={(event) => onChange(event.target.value)}
        />
        <div className="ui-input-row">
          <input
            id={`${id}-hex`}
            className="ui-input color-hex"
            value={value}
            onChange={(event) => onChange(event.target.value)}
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            maxLength={7}
            aria-invalid={messages.length > 0 || undefined}
            aria-describedby={errorId}
          />
        </div>
      </div>
      <FieldError id={errorId} messages={messages} />
    </div>
  );
}

/** WCAG AA asks 4.5:1 for text this size; below it, say so with the ratio. */
export function ContrastNote({ background, text }: { background: string; text: string }) {
  const ratio = contrastRatio(background, text);
  if (ratio === null) return null;
  if (ratio >= AA_NORMAL_TEXT) {
    return (
      <p className="contrast-ok" aria-live="polite">
        Contrast {formatRatio(ratio)}: easy to read (WCAG AA asks for at least 4.5:1).
      </p>
    );
  }
  return (
    <Alert tone="warning" title={`Low contrast: ${formatRatio(ratio)}`}>
      The label may be hard to read. WCAG AA asks for at least 4.5:1 between the text and background colors;
      pick a darker background or a lighter text color (or the other way round).
    </Alert>
  );
}

const themes = [
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
  { value: "auto", label: "Follow the visitor's light or dark setting" },
] as const satisfies ReadonlyArray<{ value: WidgetTheme; label: string }>;

/** The dialog surfaces a theme can show: both when it follows the visitor. */
const surfacesOf = (theme: WidgetTheme) =>
  theme === "auto" ? (["light", "dark"] as const) : ([theme] as const);

/**
 * The call dialog's theme, and whether the button color (its primary action, "Call now") stands
 * out on the dialog in each theme it can show: WCAG asks 3:1 for a control against its surface.
 */
export function ThemeField({
  theme,
  background,
  onChange,
}: {
  theme: WidgetTheme;
  background: string;
  onChange: (theme: WidgetTheme) => void;
}) {
  const faint = surfacesOf(theme).flatMap((surface) => {
    const ratio = contrastRatio(background, widgetSurfaces[surface]);
    return ratio !== null && ratio < AA_NON_TEXT ? [{ surface, ratio }] : [];
  });
  return (
    <div className="stack">
      <SelectField
        label="Dialog theme"
        value={theme}
        onChange={(event) => onChange(event.target.value as WidgetTheme)}
        hint="The call dialog's colors. The button itself keeps the colors above."
      >
        {themes.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </SelectField>
      {faint.map(({ surface, ratio }) => (
        <Alert key={surface} tone="warning" title={`Faint on the ${surface} dialog: ${formatRatio(ratio)}`}>
          The “Call now” button, in the background color, barely stands out on the {surface} dialog. WCAG AA
          asks for at least 3:1 between a button and what is around it; pick a{" "}
          {surface === "dark" ? "lighter" : "darker"} background color
          {theme === "auto" ? " or a single theme" : ""}.
        </Alert>
      ))}
    </div>
  );
}

/**
 * The button's logo, shown instead of the icon. For a saved button, uploads go to
 * `POST /uploads/logo` right away (they are not part of Save). Before the button exists, the
 * chosen file waits in the draft (`pending`) and is uploaded as soon as the button is created.
 */
export function LogoField({
  button,
  onChange,
  pending = null,
  onPending,
}: {
  button: ButtonView | null;
  onChange: (logoUrl: string | null) => void;
  pending?: PendingLogo | null;
  onPending?: (file: File | null) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const storeView = (view: ButtonView) => {
    queryClient.setQueryData(trpc.buttons.get.queryKey({ id: view.id }), view);
    void queryClient.invalidateQueries({ queryKey: trpc.buttons.list.queryKey() });
  };
  const remove = useMutation(
    trpc.buttons.removeLogo.mutationOptions({
      onSuccess: (view) => {
        storeView(view);
        onChange(null);
        setDone("Logo removed. The button shows its icon again.");
      },
      onError: (cause) => setError(describeError(cause).message),
    }),
  );

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    setError(null);
    setDone(null);
    remove.reset();
    if (!file) return;
    const problem = logoFileProblem(file);
    if (problem) {
      setError(problem);
      return;
    }
    if (!button) {
      onPending?.(file);
      setDone("Logo chosen. It is uploaded when you create the button.");
      return;
    }
    setUploading(true);
    const result = await uploadLogo(button.id, file);
    setUploading(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    storeView({ ...button, logoUrl: result.logoUrl, logoKey: result.key ?? button.logoKey });
    onChange(result.logoUrl);
    setDone("Logo uploaded. It is live on your site now.");
  };

  const shown = button ? button.logoUrl : (pending?.url ?? null);
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className={`ui-field${error ? " ui-field--invalid" : ""}`}>
      <label className="ui-label" htmlFor={`${id}-file`}>
        Logo <span className="ui-label-optional">(optional)</span>
      </label>
      <p className="ui-hint" id={`${id}-hint`}>
        Shown instead of the icon. PNG, JPEG or WebP, up to 512 KB.{" "}
        {button ? "It is saved as soon as you upload it." : "It is uploaded when you create the button."}
      </p>
      <div className="logo-field">
        {shown ? (
          <img className="logo-preview" src={shown} alt={button ? "Current logo" : "Chosen logo"} />
        ) : (
          <span className="logo-preview logo-preview--empty">No logo</span>
        )}
        <div className="logo-actions">
          <input
            ref={fileRef}
            id={`${id}-file`}
            type="file"
            accept="image/png,image/jpeg,image/webp"
            className="ui-visually-hidden"
            // The visible button below is the keyboard path; this input only opens the file picker.
            tabIndex={-1}
            aria-describedby={[errorId, `${id}-hint`].filter(Boolean).join(" ")}
            aria-invalid={error ? true : undefined}
            onChange={choose}
            disabled={uploading}
          />
          <Button
            variant="secondary"
            size="sm"
            onClick={() => fileRef.current?.click()}
            pending={uploading}
            pendingLabel="Uploading…"
            aria-describedby={`${id}-hint`}
          >
            {shown ? "Replace logo" : button ? "Upload logo" : "Choose a logo"}
          </Button>
          {shown ? (
            <Button
              variant="ghost"
              size="sm"
              onClick={() => {
                setError(null);
                setDone(null);
                if (button) remove.mutate({ id: button.id });
                else onPending?.(null);
              }}
              pending={remove.isPending}
              pendingLabel="Removing…"
            >
              Remove logo
            </Button>
          ) : null}
        </div>
      </div>
      <FieldError id={errorId} messages={error ? [error] : []} />
      <p className="ui-hint" role="status">
        {done}
      </p>
    </div>
  );
}
