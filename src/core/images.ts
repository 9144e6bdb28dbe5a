/**
 * Uploaded images (profile photos, event covers). The type is decided by the bytes (file-type), never by the
 * name or the Content-Type the client claims, and only JPEG, PNG and WebP are taken (an SVG or HTML file can
 * carry script). Every accepted image is then decoded and encoded anew with sharp: what is stored is pixels
 * we wrote, so camera metadata (EXIF, the GPS position of the photo) is gone and a polyglot file (an image
 * that is also a script or an archive) cannot survive. The orientation EXIF asked for is applied first, so
 * nothing turns sideways when the tag goes. A small WebP variant is made beside it for slow connections.
 */
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';

export const IMAGE_MIME = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const;
export type ImageExt = keyof typeof IMAGE_MIME;

const EXT_BY_MIME: Record<string, ImageExt> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };

export interface ImageOptions {
  /** Longest side of the stored image, in pixels (larger images are scaled down, never up). */
  maxSide: number;
  /** Longest side of the WebP variant. */
  thumbSide: number;
}

export interface ProcessedImage {
  ext: ImageExt;
  bytes: Buffer;
  /** The WebP variant for low-bandwidth clients. */
  thumb: Buffer;
  width: number;
  height: number;
}

/** Decoding more pixels than this is refused (a small file can declare an enormous image). */
const MAX_INPUT_PIXELS = 50_000_000;

/** The image's format from its bytes, or null when it is not a JPEG, PNG or WebP image. */
export async function sniffImage(bytes: Buffer): Promise<ImageExt | null> {
  if (!bytes.length) return null;
  const type = await fileTypeFromBuffer(bytes);
  return (type && EXT_BY_MIME[type.mime]) ?? null;
}

/**
 * Decodes and re-encodes an upload. Returns null when the bytes are not an image of an accepted type, or do
 * not decode as one (a truncated or forged file).
 */
export async function processImage(bytes: Buffer, opts: ImageOptions): Promise<ProcessedImage | null> {
  const ext = await sniffImage(bytes);
  if (!ext) return null;
  try {
    const input = () => sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' }).rotate();
    const resized = input().resize({ width: opts.maxSide, height: opts.maxSide, fit: 'inside', withoutEnlargement: true });
    // sharp writes no metadata unless asked to (withMetadata / keepExif): nothing of the upload's is carried over.
    const encoded =
      ext === 'jpg'
        ? resized.jpeg({ quality: 85, mozjpeg: true })
        : ext === 'png'
          ? resized.png({ compressionLevel: 9 })
          : resized.webp({ quality: 85 });
    const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
    const thumb = await input()
      .resize({ width: opts.thumbSide, height: opts.thumbSide, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer();
    return { ext, bytes: data, thumb, width: info.width, height: info.height };
  } catch {
    return null;
  }
}
