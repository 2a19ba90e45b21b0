import { useRef } from "react";

export type IndexEntry = { id: string; title: string };

/**
 * The editor's in-page index: a sticky row of links to its sections on wide screens, and a
 * compact "Go to a section" disclosure on a phone (the same links; CSS shows one or the other).
 */
export function EditorIndex({ sections }: { sections: readonly IndexEntry[] }) {
  const details = useRef<HTMLDetailsElement>(null);
  const links = (
    <ul className="editor-index-list">
      {sections.map((section) => (
        <li key={section.id}>
          <a
            href={`#${section.id}`}
            onClick={() => {
              // On a phone, the open list would cover the section it just jumped to.
              if (details.current) details.current.open = false;
            }}
          >
            {section.title}
          </a>
        </li>
      ))}
    </ul>
  );
  return (
    <nav className="editor-index" aria-label="Button settings sections">
      <div className="editor-index-wide">{links}</div>
      <details ref={details} className="editor-index-narrow">
        <summary>Go to a section</summary>
        {links}
      </details>
    </nav>
  );
}
