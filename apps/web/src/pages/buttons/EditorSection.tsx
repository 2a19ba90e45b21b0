import { Card } from "@cac/ui";
import type { ReactNode } from "react";

/** One titled part of the button editor's form. */
export function EditorSection({
  id,
  title,
  description,
  children,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card id={id} title={title} description={description} className="editor-section">
      {children}
    </Card>
  );
}
