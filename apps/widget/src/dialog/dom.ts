/** The few DOM helpers the dialog is built with (no framework in the call chunk). */

export type Child = Node | string | null | undefined | false | Child[];
export type Props = Record<string, string | boolean | number | ((event: Event) => void) | undefined>;

/** Creates an element: `on*` props become listeners, booleans toggle attributes, the rest are attributes. */
export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === "function") e.addEventListener(key.slice(2), value);
    else if (value === true) e.setAttribute(key, "");
    else if (value !== false && value !== undefined) e.setAttribute(key, String(value));
  }
  for (const child of children.flat(2) as (Node | string | null | undefined | false)[])
    if (child) e.append(child);
  return e;
}

/** A dialog button. `data-focus` in `extra` marks the one that takes focus when its frame appears. */
export const btn = (text: string, onclick: () => void, cls = "", extra: Props = {}) =>
  h("button", { type: "button", class: `btn ${cls}`, onclick, ...extra }, text);
