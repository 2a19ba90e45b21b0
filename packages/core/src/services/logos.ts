import { createHash } from "node:crypto";
import { type Button, buttons } from "@cac/db";
import { and, eq } from "drizzle-orm";
import type { Context } from "../context";
import { ipKey } from "../domain/ip";
import { AppError } from "../errors";
import { LOGO_STORAGE_QUOTA_BYTES } from "../limits";
import type { Ports } from "../ports";
import { getButton } from "./buttons";
import { dropLogoIfUnused, logoStorageUsed } from "./logo-storage";
import { withinPlanLimits } from "./plan-limits";
import { returned } from "./rows";
import { throttle } from "./throttle";

export const LOGO_MAX_BYTES = 512 * 1024;
/** Larger images are refused before decoding; accepted ones are scaled to fit LOGO_OUTPUT_PX. */
export const LOGO_MAX_INPUT_PX = 4096;
export const LOGO_OUTPUT_PX = 512;

type ImageKind = "png" | "jpeg" | "webp";
const mimeOf: Record<ImageKind, string> = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" };

/** The image type from the file's first bytes, never from its name or declared type. */
export function sniffImage(bytes: Buffer): ImageKind | "svg" | null {
  if (
    bytes.length >= 8 &&
    bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
  ) {
    return "png";
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (
    bytes.length >= 12 &&
    bytes.toString("latin1", 0, 4) === "RIFF" &&
    bytes.toString("latin1", 8, 12) === "WEBP"
  ) {
    return "webp";
  }
  const head = bytes.subarray(0, 512).toString("utf8").trimStart().toLowerCase();
  if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.includes("<svg"))) return "svg";
  return null;
}

const refuse = (message: string) => new AppError("BAD_INPUT", message, { fieldErrors: { file: [message] } });

/**
 * Checks and re-encodes an uploaded logo: PNG, JPEG or WebP by magic bytes, at most 512 KB and
 * 4096 px a side. Re-encoding drops metadata (EXIF, GPS) and anything appended to the image.
 */
export async function processLogo(bytes: Buffer, declaredType: string | undefined) {
  if (bytes.length === 0) throw refuse("The file is empty.");
  if (bytes.length > LOGO_MAX_BYTES) throw refuse("The logo must be 512 KB or smaller.");
  const kind = sniffImage(bytes);
  if (kind === "svg") throw refuse("SVG logos are not accepted. Upload a PNG, JPEG or WebP image.");
  if (!kind) throw refuse("Upload a PNG, JPEG or WebP image.");
  const declared = declaredType?.split(";")[0]?.trim().toLowerCase();
  const declaredOk = declared === mimeOf[kind] || (kind === "jpeg" && declared === "image/jpg");
  if (!declaredOk) {
    throw refuse(
      `The file is sent as ${declared || "an unknown type"} but its content is ${kind.toUpperCase()}.`,
    );
  }
  // Loaded on the first upload: the image library is large and most requests never need it.
  const { default: sharp } = await import("sharp");
  let output: Buffer;
  try {
    const image = sharp(bytes, { limitInputPixels: LOGO_MAX_INPUT_PX * LOGO_MAX_INPUT_PX, failOn: "error" });
    const meta = await image.metadata();
    if (meta.format !== kind && !(kind === "jpeg" && meta.format === "jpeg"))
      throw new Error(`decoded as ${meta.format}`);
    if ((meta.width ?? 0) > LOGO_MAX_INPUT_PX || (meta.height ?? 0) > LOGO_MAX_INPUT_PX) {
      throw refuse(`The logo must be at most ${LOGO_MAX_INPUT_PX} × ${LOGO_MAX_INPUT_PX} pixels.`);
    }
    const resized = image
      .rotate()
      .resize(LOGO_OUTPUT_PX, LOGO_OUTPUT_PX, { fit: "inside", withoutEnlargement: true });
    output =
      kind === "png"
        ? await resized.png({ compressionLevel: 9 }).toBuffer()
        : kind === "jpeg"
          ? await resized.jpeg({ quality: 88, mozjpeg: true }).toBuffer()
          : await resized.webp({ quality: 88 }).toBuffer();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw refuse("This file is not a valid image. Export it again as PNG, JPEG or WebP.");
  }
  return { extension: kind === "jpeg" ? "jpg" : kind, body: output, contentType: mimeOf[kind] };
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, "")} MB`;
}

/**
 * Checks, re-encodes and stores a logo for one of the account's buttons, within the per-account
 * and per-IP upload limits and the account's logo storage quota. The key hashes the account with
 * the image, so an account's files are its own and deleting one never touches another's. The
 * quota check, the file and the button's update happen under the account lock, so concurrent
 * uploads cannot together exceed it; the replaced logo is deleted when no button uses it.
 */
export async function uploadButtonLogo(
  ctx: Context,
  accountId: string,
  buttonId: string,
  file: { bytes: Buffer; declaredType: string | undefined },
): Promise<Button> {
  await throttle(ctx, "logo.ip", ipKey(ctx.http.ip));
  await throttle(ctx, "logo.account", accountId);
  await getButton(ctx, accountId, buttonId);
  const logo = await processLogo(file.bytes, file.declaredType);
  const key = `logos/${createHash("sha256").update(accountId).update(":").update(logo.body).digest("hex").slice(0, 32)}.${logo.extension}`;
  const { button, replaced } = await withinPlanLimits(ctx, accountId, async ({ tx }) => {
    const current = await getButton({ db: tx }, accountId, buttonId);
    const used = await logoStorageUsed(tx, accountId, buttonId);
    const after = used.bytes + (used.keys.has(key) ? 0 : logo.body.length);
    if (after > LOGO_STORAGE_QUOTA_BYTES) {
      const message = `Your logos would use ${megabytes(after)} of the ${megabytes(LOGO_STORAGE_QUOTA_BYTES)} allowed. Remove a logo you no longer use, or upload a smaller image.`;
      throw new AppError("STORAGE_QUOTA", message, { fieldErrors: { file: [message] } });
    }
    await ctx.storage.put(key, logo.body, logo.contentType);
    const rows = await tx
      .update(buttons)
      .set({ logoKey: key, logoBytes: logo.body.length, updatedAt: ctx.clock.now() })
      .where(and(eq(buttons.id, buttonId), eq(buttons.accountId, accountId)))
      .returning();
    return { button: returned(rows, "button"), replaced: current.logoKey === key ? null : current.logoKey };
  });
  await ctx.publicConfig.forget([button.publicId]);
  await dropLogoIfUnused(ctx, accountId, replaced);
  return button;
}

/** Takes the logo off a button; its file goes when no other button uses it. */
export async function removeButtonLogo(
  deps: Pick<Ports, "db" | "storage" | "clock" | "publicConfig">,
  accountId: string,
  buttonId: string,
): Promise<Button> {
  const { button, removed } = await withinPlanLimits(deps, accountId, async ({ tx }) => {
    const current = await getButton({ db: tx }, accountId, buttonId);
    const rows = await tx
      .update(buttons)
      .set({ logoKey: null, logoBytes: null, updatedAt: deps.clock.now() })
      .where(and(eq(buttons.id, buttonId), eq(buttons.accountId, accountId)))
      .returning();
    return { button: returned(rows, "button"), removed: current.logoKey };
  });
  await deps.publicConfig.forget([button.publicId]);
  await dropLogoIfUnused(deps, accountId, removed);
  return button;
}
