import { Button } from "@cac/ui";

/** Previous / next page buttons with a summary read out when it changes. */
export function Pager({
  page,
  hasMore,
  summary,
  onPage,
}: {
  page: number;
  hasMore: boolean;
  summary: string;
  onPage: (page: number) => void;
}) {
  return (
    <nav className="operator-pager" aria-label="Pages">
      <p className="muted" aria-live="polite">
        {summary}
      </p>
      <div className="operator-pager-buttons">
        <Button variant="secondary" size="sm" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous page
        </Button>
        <Button variant="secondary" size="sm" disabled={!hasMore} onClick={() => onPage(page + 1)}>
          Next page
        </Button>
      </div>
    </nav>
  );
}
