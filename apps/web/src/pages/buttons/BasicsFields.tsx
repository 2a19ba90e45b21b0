import { Switch, TextField } from "@cac/ui";
import type { ButtonView } from "./draft";
import type { ButtonDraft } from "./useButtonDraft";

/** The button's name, its text and whether it is active. */
export function BasicsFields({ form, button }: { form: ButtonDraft; button: ButtonView | null }) {
  const { draft, text, update } = form;
  return (
    <>
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
      {button?.disabledReason && !draft.enabled ? <p className="ui-hint">{button.disabledReason}</p> : null}
    </>
  );
}
