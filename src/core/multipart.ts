/**
 * multipart/form-data, read one way for every route that takes an upload (the plugin is registered once, in
 * app.ts). Sizes are capped while streaming, so an oversized upload is cut off instead of filling memory; a
 * malformed body (no boundary, a wrong one, truncated) is the client's fault and answers 400, never 500.
 */
import type { FastifyRequest } from 'fastify';
import { AppError, ValidationError } from './errors.js';

export const MAX_UPLOAD_FIELDS = 40;
const MAX_FIELD_BYTES = 25_000;

export interface UploadedFile {
  field: string;
  filename: string;
  bytes: Buffer;
}

export interface MultipartLimits {
  /** Largest file accepted, in bytes (413 beyond). */
  maxFileBytes: number;
  /** The 413 message for that size ("Photo trop volumineuse…"). */
  tooLarge: (maxBytes: number) => string;
}

export interface MultipartContent {
  /** Text fields; empty ones count as absent (an HTML form sends every input). */
  fields: Record<string, string>;
  files: UploadedFile[];
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Files of a multipart request (core/http-contract.ts reads them; the text fields became `request.body`). */
    uploads?: UploadedFile[];
  }
}

export const INVALID_MULTIPART = 'Formulaire multipart invalide.';

export async function readMultipart(request: FastifyRequest, limits: MultipartLimits): Promise<MultipartContent> {
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  try {
    for await (const part of request.parts({
      limits: { fileSize: limits.maxFileBytes, files: 1, fields: MAX_UPLOAD_FIELDS, fieldSize: MAX_FIELD_BYTES },
    })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.file.truncated) throw tooLargeError(limits);
        files.push({ field: part.fieldname, filename: part.filename, bytes });
      } else if (typeof part.value === 'string' && part.value !== '') {
        fields[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLargeError(limits);
    if (code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') {
      throw new ValidationError({ non_field_errors: [`Formulaire trop grand : un seul fichier et ${MAX_UPLOAD_FIELDS} champs au plus.`] });
    }
    // Anything else the parser throws (no boundary, a wrong one, a truncated body, a bad header) is malformed input.
    throw new ValidationError({ non_field_errors: [INVALID_MULTIPART] });
  }
  return { fields, files };
}

function tooLargeError(limits: MultipartLimits): AppError {
  return new AppError(413, 'payload_too_large', limits.tooLarge(limits.maxFileBytes));
}

export function uploadOf(request: FastifyRequest, field: string): UploadedFile | undefined {
  return request.uploads?.find((f) => f.field === field);
}
