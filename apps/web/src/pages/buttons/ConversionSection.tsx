import { Switch } from "@cac/ui";
import { EditorSection } from "./EditorSection";

const events = [
  ["clickandcall_call_started", "the call reached you (it is ringing)"],
  ["clickandcall_call_answered", "someone answered it"],
  ["clickandcall_callback_requested", "a visitor asked to be called back"],
] as const;

/**
 * The opt-in for conversion events: the widget pushes them to the page's `window.dataLayer` and
 * to `ClickAndCall("on", …)` listeners. The setup steps are here, next to the switch, since the
 * portal has no separate help site; docs/conversion-events.md has the same and more.
 */
export function ConversionSection({
  value,
  onChange,
  error,
}: {
  value: boolean;
  onChange: (value: boolean) => void;
  error: string[] | undefined;
}) {
  return (
    <EditorSection id="conversion" title="Conversion tracking">
      <div className="stack-sm">
        <Switch
          label="Send conversion events to Google Tag Manager"
          checked={value}
          onChange={(event) => onChange(event.target.checked)}
          aria-describedby="conversion-hint"
        />
        <p className="ui-hint" id="conversion-hint">
          Tells your site's tag manager when a call starts, is answered, or a callback is requested, so your
          ads and analytics can count them. Only ids are sent, never what visitors type.
        </p>
        {error ? <p className="ui-field-error">{error.join(" ")}</p> : null}
        <details className="conversion-help">
          <summary>How to set it up in Google Tag Manager</summary>
          <ol>
            <li>
              In Google Tag Manager, open <strong>Triggers</strong>, then <strong>New</strong>, and choose{" "}
              <strong>Custom Event</strong>.
            </li>
            <li>
              Enter one of these event names:
              <ul>
                {events.map(([name, when]) => (
                  <li key={name}>
                    <code>{name}</code>: {when}
                  </li>
                ))}
              </ul>
            </li>
            <li>
              Use the trigger on the tag that counts the conversion, such as a Google Ads conversion or a GA4
              event, then publish the container.
            </li>
            <li>
              Optional: add <strong>Data Layer Variables</strong> <code>clickandcall.buttonId</code> and{" "}
              <code>clickandcall.callId</code> to tell buttons and calls apart.
            </li>
          </ol>
          <p className="ui-hint">
            Without Google Tag Manager, your page's own code can listen:{" "}
            <code>ClickAndCall("on", "clickandcall_call_answered", function (e) {"{ … }"})</code>.
          </p>
        </details>
      </div>
    </EditorSection>
  );
}
