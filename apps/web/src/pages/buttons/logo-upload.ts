/**
 * Logo files, checked in the browser before they are sent and uploaded to `POST /uploads/logo`.
 * The server checks them again (bytes, size, quota); these checks only answer sooner.
 */

const LOGO_TYPES = ["image/png", "image/jpeg", "image/webp"];
const LOGO_MAX_BYTES = 512 * 1024;

/** Why this file cannot be a logo, or null when it may be sent. */
export function logoFileProblem(file: File): string | null {
  if (!LOGO_TYPES.includes(file.type)) {
    return `“${file.name}” is not a PNG, JPEG or WebP image. SVG and other formats are not accepted.`;
  }
  if (file.size > LOGO_MAX_BYTES) {
    return `“${file.name}” is ${Math.ceil(file.size / 1024)} KB. The logo must be 512 KB or smaller.`;
  }
  return null;
}

type UploadAnswer = { key?: string; logoUrl?: string; error?: string; fieldErrors?: { file?: string[] } };

export type LogoUploadResult =
  | { ok: true; key: string | null; logoUrl: string }
  | { ok: false; error: string };

/** Uploads `file` as the logo of a saved button; the answer's message when it is refused. */
export async function uploadLogo(buttonId: string, file: File): Promise<LogoUploadResult> {
  const body = new FormData();
  body.append("file", file);
  try {
    const response = await fetch(`/uploads/logo?button=${encodeURIComponent(buttonId)}`, {
      method: "POST",
      body,
      credentials: "same-origin",
    });
    const answer = (await response.json().catch(() => ({}))) as UploadAnswer;
    if (!response.ok || !answer.logoUrl) {
      return {
        ok: false,
        error:
          answer.fieldErrors?.file?.[0] ??
          answer.error ??
          (response.status === 413
            ? "The logo must be 512 KB or smaller."
            : "The logo could not be uploaded. Please try again."),
      };
    }
    return { ok: true, key: answer.key ?? null, logoUrl: answer.logoUrl };
  } catch {
    return { ok: false, error: "We could not reach Click & Call. Check your connection and try again." };
  }
}

/** A logo chosen before the button exists: the file, and a local address for the previews. */
export type PendingLogo = { file: File; url: string };
