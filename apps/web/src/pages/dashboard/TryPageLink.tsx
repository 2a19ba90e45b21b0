/**
 * "Make a test call": the button's test page, hosted by the product (`/try/<publicId>`), in a new
 * tab so this portal stays open to answer. A plain link: the page is served by the server, not the
 * portal's router.
 */
export function TryPageLink({ publicId }: { publicId: string }) {
  return (
    <a className="try-link" href={`/try/${encodeURIComponent(publicId)}`} target="_blank" rel="noopener">
      Make a test call<span className="ui-visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}
