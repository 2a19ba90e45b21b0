import { PageHeader } from "@cac/ui";
import type { ReactNode } from "react";

/** The card that holds a public page's form, with the page's h1. */
export function AuthCard({
  title,
  description,
  children,
  footer,
}: {
  title: ReactNode;
  description?: ReactNode;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <div className="auth-card">
      <PageHeader title={title} description={description} className="auth-card-header" />
      <div className="auth-card-body">{children}</div>
      {footer ? <div className="auth-card-footer">{footer}</div> : null}
    </div>
  );
}
