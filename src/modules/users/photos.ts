/**
 * Profile photos. The type is decided by the file's first bytes, never by its name or the client's
 * Content-Type (a script renamed .jpg is refused); the size is capped while streaming, so an oversized upload
 * is cut off instead of filling memory or disk.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { MultipartFile } from '@fastify/multipart';
import { AppError, BadRequestError, NotFoundError } from '../../core/errors.js';
import { users } from './tables.js';
import { loadOwnProfile } from './profile.js';
import type { AccountsDeps } from './deps.js';

export const IMAGE_TYPES = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
} as const;
export type ImageExt = keyof typeof IMAGE_TYPES;

/** JPEG FF D8 FF; PNG's 8-byte signature; WebP is a RIFF container whose form type is "WEBP". */
export function sniffImage(bytes: Buffer): ImageExt | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpg';
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'png';
  if (bytes.length >= 12 && bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  return null;
}

export class PayloadTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super(413, 'payload_too_large', `Photo trop volumineuse (maximum ${Math.floor(maxBytes / 1024)} Ko).`);
  }
}

export async function readPhoto(file: MultipartFile | undefined, maxBytes: number): Promise<{ bytes: Buffer; ext: ImageExt }> {
  if (!file) throw new BadRequestError('Aucun fichier reçu : envoyez la photo dans le champ « photo » (multipart/form-data).', 'no_file');
  if (file.fieldname !== 'photo') {
    file.file.resume();
    throw new BadRequestError('La photo doit être envoyée dans le champ « photo ».', 'no_file');
  }
  const bytes = await file.toBuffer().catch((err: { code?: string }) => {
    if (err.code === 'FST_REQ_FILE_TOO_LARGE') throw new PayloadTooLargeError(maxBytes);
    throw err;
  });
  if (file.file.truncated) throw new PayloadTooLargeError(maxBytes);
  if (bytes.length === 0) throw new BadRequestError('Le fichier envoyé est vide.', 'empty_file');
  const ext = sniffImage(bytes);
  if (!ext) {
    throw new AppError(415, 'unsupported_media_type', 'Format de photo non pris en charge : JPEG, PNG ou WebP uniquement.');
  }
  return { bytes, ext };
}

export async function setProfilePhoto(deps: AccountsDeps, userId: number, photo: { bytes: Buffer; ext: ImageExt }) {
  const key = `profiles/${randomUUID()}.${photo.ext}`;
  // Stored first, recorded second: a crash in between leaves an orphan file, never a profile pointing at nothing.
  await deps.storage.save(key, photo.bytes, IMAGE_TYPES[photo.ext]);
  const old = await replacePhotoKey(deps, userId, key);
  if (old) await deps.storage.remove(old).catch(() => undefined);
  return (await loadOwnProfile(deps.db, userId))!;
}

export async function removeProfilePhoto(deps: AccountsDeps, userId: number) {
  const old = await replacePhotoKey(deps, userId, '');
  if (old) await deps.storage.remove(old).catch(() => undefined);
  return (await loadOwnProfile(deps.db, userId))!;
}

async function replacePhotoKey(deps: AccountsDeps, userId: number, key: string): Promise<string> {
  return deps.db.transaction(async (tx) => {
    const [u] = await tx.select({ photo: users.photoProfil }).from(users).where(eq(users.id, userId)).for('update');
    if (!u) throw new NotFoundError('Utilisateur introuvable.');
    await tx
      .update(users)
      .set({ photoProfil: key, dateModification: sql`now()` })
      .where(eq(users.id, userId));
    return u.photo;
  });
}
