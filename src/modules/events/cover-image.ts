/**
 * Cover images: received as multipart/form-data (field `image`), recognised by their bytes (never by the
 * name or the Content-Type the client claims), written under MEDIA_ROOT/events/ with a random name, and
 * served at /media/events/<name>. Only JPEG, PNG and WebP are kept: an SVG or HTML file can carry script.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import { AppError, ValidationError } from '../../core/errors.js';

export const INVALID_IMAGE_MESSAGE = 'Image invalide : formats acceptés JPEG, PNG ou WebP.';

export const IMAGE_TYPES: Record<string, { ext: string; mime: string }> = {
  'image/jpeg': { ext: 'jpg', mime: 'image/jpeg' },
  'image/png': { ext: 'png', mime: 'image/png' },
  'image/webp': { ext: 'webp', mime: 'image/webp' },
};
const MIME_BY_EXT: Record<string, string> = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' };
const STORED_NAME = /^[A-Za-z0-9_-]{22}\.(jpg|png|webp)$/;

export interface UploadedImage {
  buffer: Buffer;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The `image` file of a multipart request, once read (see readMultipartBody). */
    eventImage?: UploadedImage;
  }
}

/**
 * For routes that accept multipart/form-data: turns the text fields into the body (so the route's JSON
 * schema validates it exactly like a JSON body; empty fields count as absent) and keeps the `image` file aside.
 */
export function multipartBodyHook(maxBytes: number) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!request.isMultipart()) return;
    const body: Record<string, string> = {};
    try {
      for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 40, fieldSize: 25_000 } })) {
        if (part.type === 'file') {
          if (part.fieldname !== 'image') {
            part.file.resume();
            throw ValidationError.field(part.fieldname, 'Seul le fichier « image » est accepté.');
          }
          request.eventImage = { buffer: await part.toBuffer() };
        } else if (typeof part.value === 'string' && part.value !== '') {
          body[part.fieldname] = part.value;
        }
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'FST_REQ_FILE_TOO_LARGE') {
        throw new AppError(413, 'payload_too_large', `Image trop volumineuse (maximum ${Math.floor(maxBytes / 1024)} Kio).`);
      }
      if (code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') {
        throw new ValidationError({ non_field_errors: ['Formulaire trop grand : un seul fichier « image » et 40 champs au plus.'] });
      }
      if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE' || code === 'FST_PROTO_VIOLATION') {
        throw new ValidationError({ non_field_errors: ['Formulaire multipart invalide.'] });
      }
      throw err;
    }
    request.body = body;
  };
}

export class CoverImageStore {
  constructor(private readonly root: string) {}

  get dir(): string {
    return path.join(this.root, 'events');
  }

  /** The stored extension for these bytes, or null when they are not a JPEG, PNG or WebP image. */
  async inspect(image: UploadedImage): Promise<string | null> {
    const type = image.buffer.length ? await fileTypeFromBuffer(image.buffer) : undefined;
    return (type && IMAGE_TYPES[type.mime]?.ext) ?? null;
  }

  /** Writes an inspected image; returns the stored relative path (`events/<name>`). */
  async write(image: UploadedImage, ext: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = `${randomBytes(16).toString('base64url')}.${ext}`;
    // Write aside then rename: a reader never sees half a file.
    const tmp = path.join(this.dir, `.${name}.tmp`);
    await writeFile(tmp, image.buffer, { mode: 0o644 });
    await rename(tmp, path.join(this.dir, name));
    return `events/${name}`;
  }

  /** Removes a stored image; a missing file is not an error (already removed). */
  async remove(stored: string | null | undefined): Promise<void> {
    if (!stored || !stored.startsWith('events/')) return;
    const name = stored.slice('events/'.length);
    if (!STORED_NAME.test(name)) return;
    await unlink(path.join(this.dir, name)).catch(() => undefined);
  }

  /** GET /media/events/:name — names are random and never reused, so clients may cache them for ever. */
  routes(app: FastifyInstance): void {
    app.get<{ Params: { name: string } }>('/media/events/:name', { schema: { hide: true } }, async (request, reply) => {
      const { name } = request.params;
      // The strict pattern is the path-traversal guard: no slash, no dot-dot, only names we generate.
      if (!STORED_NAME.test(name)) return reply.code(404).send({ error: 'Image introuvable.', code: 'not_found' });
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) return reply.code(404).send({ error: 'Image introuvable.', code: 'not_found' });
      return (
        reply
          .header('content-type', MIME_BY_EXT[name.split('.').pop()!]!)
          .header('content-length', info.size)
          .header('cache-control', 'public, max-age=31536000, immutable')
          // Cover images are meant to be shown by the apps and sites of any origin (helmet's default is same-site).
          .header('cross-origin-resource-policy', 'cross-origin')
          .send(createReadStream(file))
      );
    });
  }
}
