import { describeError } from "../lib/errors";

/** Under a banner's text: why its action (Reopen, Dismiss, Resend) failed, announced at once. */
export function BannerError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="banner-feedback banner-feedback--error" role="alert">
      {describeError(error).message}
    </p>
  );
}
