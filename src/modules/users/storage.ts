/**
 * Where profile photos live: a directory on local disk (MEDIA_ROOT, served back under MEDIA_URL) by default,
 * or an S3 bucket (any S3-compatible endpoint) when the AWS_* variables are set. Keys look like
 * `profiles/<uuid>.<ext>`: chosen by us, never by the uploader, so they cannot escape the media root.
 */
import { createHash } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import type { AccountSettings, S3Settings } from './settings.js';

export interface PhotoStorage {
  readonly kind: 'local' | 's3';
  save(key: string, bytes: Buffer, contentType: string): Promise<void>;
  remove(key: string): Promise<void>;
  /** The public URL of a stored key; `origin` is used when MEDIA_URL is a path. */
  url(key: string, origin: string): string;
}

export const KEY_PATTERN = /^profiles\/[0-9a-f-]{36}\.(jpg|png|webp)$/;

export function createPhotoStorage(settings: AccountSettings): PhotoStorage {
  return settings.s3 ? s3Storage(settings.s3) : localStorage(settings.media.root, settings.media.url);
}

function localStorage(root: string, mediaUrl: string): PhotoStorage {
  const fileOf = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new Error(`clé de média invalide : ${key}`);
    return path.join(root, key);
  };
  return {
    kind: 'local',
    save: async (key, bytes) => {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      // Written aside then renamed: a reader never sees half a file.
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, bytes);
      await rename(tmp, file);
    },
    remove: async (key) => {
      await unlink(fileOf(key)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    },
    url: (key, origin) => (/^https?:\/\//.test(mediaUrl) ? `${mediaUrl}${key}` : `${origin}${mediaUrl}${key}`),
  };
}

function s3Storage(s3: S3Settings): PhotoStorage {
  const client = new AwsClient({
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    service: 's3',
    region: s3.region,
    retries: 2,
  });
  // A custom endpoint (MinIO, a test stand-in) is addressed path-style; AWS itself virtual-hosted style.
  const base = s3.endpoint ? `${s3.endpoint}/${s3.bucket}` : `https://${s3.bucket}.s3.${s3.region}.amazonaws.com`;
  const call = async (method: 'PUT' | 'DELETE', key: string, body?: Buffer, contentType?: string) => {
    const headers: Record<string, string> = {
      // The payload's hash is signed, so S3 rejects a body altered on the way.
      'x-amz-content-sha256': createHash('sha256')
        .update(body ?? Buffer.alloc(0))
        .digest('hex'),
    };
    if (contentType) headers['content-type'] = contentType;
    const res = await client.fetch(`${base}/${key}`, {
      method,
      headers,
      ...(body ? { body: new Uint8Array(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    if (!res.ok && !(method === 'DELETE' && res.status === 404)) {
      const text = await res.text().catch(() => '');
      throw new Error(`S3 ${method} ${key} : HTTP ${res.status} ${text.slice(0, 200)}`);
    }
  };
  return {
    kind: 's3',
    save: (key, bytes, contentType) => call('PUT', key, bytes, contentType),
    remove: (key) => call('DELETE', key),
    url: (key) => `${base}/${key}`,
  };
}
