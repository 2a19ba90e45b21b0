import type { Button } from "@cac/db";
import type { Settings } from "../context";

/** A button as the portal sees it: no account key, with its logo URL and embed snippet. */
export function toButtonView(settings: Pick<Settings, "publicUrl">, button: Button) {
  const { accountId: _accountId, ...rest } = button;
  const origin = settings.publicUrl.origin;
  return {
    ...rest,
    logoUrl: button.logoKey ? `${origin}/uploads/${button.logoKey}` : null,
    snippet: `<script src="${origin}/widget.js" data-button="${button.publicId}" async></script>`,
  };
}
