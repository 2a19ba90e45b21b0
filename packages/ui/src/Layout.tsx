import type { ReactNode, Ref } from "react";
import { ToneIcon } from "./Alert";
import { Button } from "./Button";
import { cx } from "./cx";

export type CardProps = {
  title?: ReactNode;
  description?: ReactNode;
  /** Heading level of the title; sections inside a page use h2. */
  headingLevel?: 2 | 3;
  actions?: ReactNode;
  footer?: ReactNode;
  children?: ReactNode;
  className?: string;
  id?: string;
};

/** A titled panel. With a title it is a labelled region, so it shows up in landmark navigation. */
export function Card({
  title,
  description,
  headingLevel = 2,
  actions,
  footer,
  children,
  className,
  id,
}: CardProps) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const headingId = id ? `${id}-title` : undefined;
  const Tag = title ? "section" : "div";
  return (
    <Tag className={cx("ui-card", className)} id={id} aria-labelledby={title ? headingId : undefined}>
      {title || actions ? (
        <div className="ui-card-header">
          <div className="ui-card-heading">
            {title ? (
              <Heading className="ui-card-title" id={headingId}>
                {title}
              </Heading>
            ) : null}
            {description ? <p className="ui-card-description">{description}</p> : null}
          </div>
          {actions ? <div className="ui-card-actions">{actions}</div> : null}
        </div>
      ) : null}
      {children ? <div className="ui-card-body">{children}</div> : null}
      {footer ? <div className="ui-card-footer">{footer}</div> : null}
    </Tag>
  );
}

export type PageHeaderProps = {
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
  className?: string;
  ref?: Ref<HTMLHeadingElement>;
};

/** The page's h1. It takes focus after client-side navigation (tabIndex -1), like a page load would. */
export function PageHeader({ title, description, actions, className, ref }: PageHeaderProps) {
  return (
    <header className={cx("ui-page-header", className)}>
      <div className="ui-page-header-text">
        <h1 ref={ref} className="ui-page-title" tabIndex={-1}>
          {title}
        </h1>
        {description ? <p className="ui-page-description">{description}</p> : null}
      </div>
      {actions ? <div className="ui-page-actions">{actions}</div> : null}
    </header>
  );
}

export type EmptyStateProps = {
  icon?: ReactNode;
  title: ReactNode;
  children?: ReactNode;
  action?: ReactNode;
  headingLevel?: 2 | 3;
  className?: string;
};

export function EmptyState({ icon, title, children, action, headingLevel = 2, className }: EmptyStateProps) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  return (
    <div className={cx("ui-empty", className)}>
      {icon ? (
        <div className="ui-empty-icon" aria-hidden="true">
          {icon}
        </div>
      ) : null}
      <Heading className="ui-empty-title">{title}</Heading>
      {children ? <div className="ui-empty-text">{children}</div> : null}
      {action ? <div className="ui-empty-action">{action}</div> : null}
    </div>
  );
}

export type ErrorStateProps = {
  title?: ReactNode;
  message: ReactNode;
  onRetry?: () => void;
  retrying?: boolean;
  className?: string;
};

/** A query that failed: what happened, and a way to try again. */
export function ErrorState({
  title = "We could not load this",
  message,
  onRetry,
  retrying = false,
  className,
}: ErrorStateProps) {
  return (
    <div className={cx("ui-error-state", className)} role="alert">
      <ToneIcon tone="error" className="ui-error-state-icon" />
      <div>
        <p className="ui-error-state-title">{title}</p>
        <p className="ui-error-state-text">{message}</p>
        {onRetry ? (
          <Button variant="secondary" size="sm" onClick={onRetry} pending={retrying} pendingLabel="Retrying…">
            Try again
          </Button>
        ) : null}
      </div>
    </div>
  );
}

export function VisuallyHidden({ children }: { children: ReactNode }) {
  return <span className="ui-visually-hidden">{children}</span>;
}

/** The first focusable element on every page: jumps past the navigation. */
export function SkipLink({
  href = "#main",
  children = "Skip to main content",
}: {
  href?: string;
  children?: ReactNode;
}) {
  return (
    <a className="ui-skip-link" href={href}>
      {children}
    </a>
  );
}
