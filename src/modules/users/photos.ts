/**
 * Profile photos: read from multipart/form-data (field « photo »), recognised by their bytes and re-encoded
 * (core/images.ts: metadata such as the GPS position is never kept), stored with a small WebP variant in the
 * media store (core/media.ts).
 */
import { eq, sql } from 'drizzle-orm';
import { AppError, BadRequestError, NotFoundError } from '../../core/errors.js';
import { processImage, type ProcessedImage } from '../../core/images.js';
import type { UploadedFile } from '../../core/multipart.js';
import type { UploadConfig } from '../../core/http-contract.js';
import { users } from './tables.js';
import { loadOwnProfile } from './profile.js';
import type { AccountsDeps } from './deps.js';

export { sniffImage } from '../../core/images.js';

export const PHOTO_SIDE = 1024;
export const PHOTO_THUMB_SIDE = 160;

/** The upload the photo route takes: one file, checked by `photoUpload` (the field must be « photo »). */
export function photoUploads(maxBytes: number): UploadConfig {
  return {
    acceptedFiles: ['*'],
    maxFileBytes: maxBytes,
    tooLarge: (max) => `Photo trop volumineuse (maximum ${Math.floor(max / 1024)} Ko).`,
  };
}

/** The photo of a multipart body (its only file, in the field « photo »). */
export function photoUpload(files: UploadedFile[]): Buffer {
  const file = files[0];
  if (!file) throw new BadRequestError('Aucun fichier reçu : envoyez la photo dans le champ « photo » (multipart/form-data).', 'no_file');
  if (file.field !== 'photo') throw new BadRequestError('La photo doit être envoyée dans le champ « photo ».', 'no_file');
  if (file.bytes.length === 0) throw new BadRequestError('Le fichier envoyé est vide.', 'empty_file');
  return file.bytes;
}

const UNSUPPORTED = 'Format de photo non pris en charge : JPEG, PNG ou WebP uniquement.';

export async function setProfilePhoto(deps: AccountsDeps, userId: number, bytes: Buffer) {
  const image: ProcessedImage | null = await processImage(bytes, { maxSide: PHOTO_SIDE, thumbSide: PHOTO_THUMB_SIDE });
  if (!image) throw new AppError(415, 'unsupported_media_type', UNSUPPORTED);
  // Stored first, recorded second: a crash in between leaves an orphan file, never a profile pointing at nothing.
  const stored = await deps.media.saveImage('profiles', image);
  try {
    const old = await replacePhotoKeys(deps, userId, stored.key, stored.thumbKey);
    await deps.media.remove(old.photo, old.thumb);
  } catch (err) {
    await deps.media.remove(stored.key, stored.thumbKey);
    throw err;
  }
  return (await loadOwnProfile(deps.db, userId))!;
}

export async function removeProfilePhoto(deps: AccountsDeps, userId: number) {
  const old = await replacePhotoKeys(deps, userId, '', '');
  await deps.media.remove(old.photo, old.thumb);
  return (await loadOwnProfile(deps.db, userId))!;
}

async function replacePhotoKeys(deps: AccountsDeps, userId: number, key: string, thumb: string): Promise<{ photo: string; thumb: string }> {
  const old = await deps.db.transaction(async (tx) => {
    const [u] = await tx
      .select({ photo: users.photoProfil, thumb: users.photoMiniature })
      .from(users)
      .where(eq(users.id, userId))
      .for('update');
    if (!u) throw new NotFoundError('Utilisateur introuvable.');
    await tx
      .update(users)
      .set({ photoProfil: key, photoMiniature: thumb, dateModification: sql`now()` })
      .where(eq(users.id, userId));
    return u;
  });
  // The photo shows in the organizer's events (`createur`) of public reads.
  await deps.publicCache?.bump();
  return old;
}
