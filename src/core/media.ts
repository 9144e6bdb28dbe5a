/**
 * One media store for every upload (profile photos, event covers): a directory on local disk (MEDIA_ROOT,
 * served back at MEDIA_URL by @fastify/static, see `registerMediaRoutes`), or an S3 bucket (any S3-compatible
 * endpoint) when the AWS_* variables are set. Keys look like `profiles/<random>.jpg` or `events/<random>.webp`:
 * chosen by us, never by the uploader, so they cannot escape the media root, and never reused, so clients may
 * cache them for ever. Each image is stored with its WebP variant (`<key without extension>.thumb.webp`).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AwsClient } from 'aws4fetch';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config.js';
import { IMAGE_MIME, type ProcessedImage } from './images.js';

export const MEDIA_FOLDERS = ['profiles', 'events'] as const;
export type MediaFolder = (typeof MEDIA_FOLDERS)[number];

/** Every key this store ever writes (and the older ones: profile photos were named by a UUID). */
export const MEDIA_KEY = /^(profiles|events)\/[A-Za-z0-9_-]{16,64}(\.thumb)?\.(jpg|png|webp)$/;

export interface StoredImage {
  key: string;
  thumbKey: string;
}

export interface MediaStore {
  readonly kind: 'local' | 's3';
  /** Stores an image and its variant; returns their keys. */
  saveImage(folder: MediaFolder, image: ProcessedImage): Promise<StoredImage>;
  /** Removes stored files; empty keys and files already gone are ignored. */
  remove(...keys: (string | null | undefined)[]): Promise<void>;
  /** The public URL of a key (null for none); `origin` is used when MEDIA_URL is a path. */
  url(key: string | null | undefined, origin: string): string | null;
}

export interface MediaSettings {
  root: string;
  /** A path (`/media/`, served by this app) or an absolute URL (a CDN in front of the bucket). */
  url: string;
  s3: S3Settings | null;
}

export interface S3Settings {
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  region: string;
  endpoint: string | undefined;
}

export function mediaSettings(config: Config): MediaSettings {
  const env = config.env;
  const s3Ready = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && env.AWS_STORAGE_BUCKET_NAME;
  return {
    root: path.resolve(env.MEDIA_ROOT ?? path.join(config.database.dataDir, 'media')),
    url: env.MEDIA_URL.endsWith('/') ? env.MEDIA_URL : `${env.MEDIA_URL}/`,
    s3: s3Ready
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID!,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
          bucket: env.AWS_STORAGE_BUCKET_NAME!,
          region: env.AWS_S3_REGION_NAME ?? 'us-east-1',
          endpoint: env.AWS_S3_ENDPOINT_URL?.replace(/\/+$/, ''),
        }
      : null,
  };
}

export function thumbKeyOf(key: string): string {
  return key.replace(/\.(jpg|png|webp)$/, '.thumb.webp');
}

interface Backend {
  kind: 'local' | 's3';
  put(key: string, bytes: Buffer, contentType: string): Promise<void>;
  delete(key: string): Promise<void>;
  base: string | null;
}

export function createMediaStore(settings: MediaSettings): MediaStore {
  const backend = settings.s3 ? s3Backend(settings.s3) : localBackend(settings.root);
  const absolute = /^https?:\/\//.test(settings.url);
  return {
    kind: backend.kind,
    async saveImage(folder, image) {
      // Profile photos have always been named by a UUID, covers by 128 random bits in base64url.
      const name = folder === 'profiles' ? randomUUID() : randomBytes(16).toString('base64url');
      const key = `${folder}/${name}.${image.ext}`;
      const thumbKey = thumbKeyOf(key);
      await backend.put(key, image.bytes, IMAGE_MIME[image.ext]);
      try {
        await backend.put(thumbKey, image.thumb, IMAGE_MIME.webp);
      } catch (err) {
        await backend.delete(key).catch(() => undefined);
        throw err;
      }
      return { key, thumbKey };
    },
    async remove(...keys) {
      for (const key of keys) {
        if (key && MEDIA_KEY.test(key)) await backend.delete(key).catch(() => undefined);
      }
    },
    url(key, origin) {
      if (!key) return null;
      // S3 without a CDN in MEDIA_URL: the bucket's own address.
      if (backend.base && !absolute) return `${backend.base}/${key}`;
      return absolute ? `${settings.url}${key}` : `${origin}${settings.url}${key}`;
    },
  };
}

function localBackend(root: string): Backend {
  const fileOf = (key: string) => {
    if (!MEDIA_KEY.test(key)) throw new Error(`clé de média invalide : ${key}`);
    return path.join(root, key);
  };
  return {
    kind: 'local',
    base: null,
    put: async (key, bytes) => {
      const file = fileOf(key);
      await mkdir(path.dirname(file), { recursive: true });
      // Written aside (a dot file, never served) then renamed: a reader never sees half a file.
      const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
      await writeFile(tmp, bytes, { mode: 0o644 });
      await rename(tmp, file);
    },
    delete: async (key) => {
      await unlink(fileOf(key)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    },
  };
}

function s3Backend(s3: S3Settings): Backend {
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
    if (!MEDIA_KEY.test(key)) throw new Error(`clé de média invalide : ${key}`);
    const headers: Record<string, string> = {
      // The payload's hash is signed, so S3 rejects a body altered on the way.
      'x-amz-content-sha256': createHash('sha256')
        .update(body ?? Buffer.alloc(0))
        .digest('hex'),
    };
    if (contentType) {
      headers['content-type'] = contentType;
      headers['cache-control'] = 'public, max-age=31536000, immutable';
    }
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
    base,
    put: (key, bytes, contentType) => call('PUT', key, bytes, contentType),
    delete: (key) => call('DELETE', key),
  };
}

/**
 * Serves the local media directory at MEDIA_URL (when it is a path and files are on local disk): only keys
 * this store writes, never a directory listing or a dot file, cacheable for ever (names are never reused),
 * embeddable from any origin (the apps and sites that show events are on other origins).
 */
export async function registerMediaRoutes(app: FastifyInstance, settings: MediaSettings): Promise<void> {
  if (settings.s3 || !settings.url.startsWith('/')) return;
  await mkdir(settings.root, { recursive: true });
  await app.register(fastifyStatic, {
    root: settings.root,
    prefix: settings.url,
    decorateReply: false,
    list: false,
    index: false,
    dotfiles: 'deny',
    immutable: true,
    maxAge: '365d',
    allowedPath: (pathName) => MEDIA_KEY.test(pathName.replace(/^\/+/, '')),
    setHeaders: (res) => {
      res.setHeader('cross-origin-resource-policy', 'cross-origin');
      res.setHeader('x-content-type-options', 'nosniff');
    },
    schemaHide: true,
  });
}
