import { createHash } from "node:crypto";
import { AppError } from "../errors";
import type { Ports } from "../ports";

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
  const hash = createHash("sha256").update(output).digest("hex").slice(0, 32);
  return { key: `logos/${hash}.${kind === "jpeg" ? "jpg" : kind}`, body: output, contentType: mimeOf[kind] };
}

/** Processes and stores a logo; the content-hash key makes a re-upload of the same image a no-op. */
export async function storeLogo(
  deps: Pick<Ports, "storage">,
  bytes: Buffer,
  declaredType: string | undefined,
) {
  const logo = await processLogo(bytes, declaredType);
  await deps.storage.put(logo.key, logo.body, logo.contentType);
  return logo.key;
}
