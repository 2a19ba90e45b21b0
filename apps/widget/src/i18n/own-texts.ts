/** The dialog's language, and the owner's own texts in it. */
import type { PublicButtonConfig, WidgetContext } from "../types";
import type { Strings } from "./en";

type Own = NonNullable<NonNullable<PublicButtonConfig["texts"]>["en"]>;

/** The language code of a table ("en", "es"): what calls and callback requests report. */
export const codeOf = (t: Strings) => t.locale.split("-")[0] as "en";

/** The owner's button text and closed message in the dialog's language (each may be absent). */
export const ownTexts = (ctx: Pick<WidgetContext, "cfg" | "w">): Own =>
  ctx.cfg.texts?.[codeOf(ctx.w.t)] ?? {};

/** The button's text in the dialog's language: the owner's, else the button's label. */
export const labelOf = (ctx: Pick<WidgetContext, "cfg" | "w">) => ownTexts(ctx).label || ctx.cfg.label;
