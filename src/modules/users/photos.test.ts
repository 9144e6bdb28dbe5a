import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { AwsV4Signer } from 'aws4fetch';
import { createTestContext, type TestContext } from '../../test/context.js';
import { multipart } from '../../test/http.js';
import { register } from '../../test/users.js';
import sharp from 'sharp';
import { sniffImage } from './photos.js';

// Real images (they are decoded and re-encoded on upload). The JPEG carries EXIF with a GPS position.
const pixels = (format: 'jpeg' | 'png' | 'webp') =>
  sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 200, g: 30, b: 40 } } }).toFormat(format);
const JPEG = await pixels('jpeg')
  .withExif({
    IFD0: { Copyright: 'Awa Kone', ImageDescription: 'Maison a Cocody' },
    IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '5/1 21/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '3/1 58/1 0/1' },
  })
  .toBuffer();
const PNG = await pixels('png').toBuffer();
const WEBP = await pixels('webp').toBuffer();
const env = { LOGIN_RATE_LIMIT_MAX: '10000', ACCOUNT_RATE_LIMIT_MAX: '10000' };

test('image types are recognised by their first bytes only', async () => {
  assert.equal(await sniffImage(JPEG), 'jpg');
  assert.equal(await sniffImage(PNG), 'png');
  assert.equal(await sniffImage(WEBP), 'webp');
  assert.equal(await sniffImage(Buffer.from('<?php echo 1; ?>')), null);
  assert.equal(await sniffImage(Buffer.from('GIF89a.......')), null);
  assert.equal(await sniffImage(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVE')])), null);
});

describe('local disk (default)', () => {
  let ctx: TestContext;
  let mediaRoot: string;
  before(async () => {
    mediaRoot = mkdtempSync(path.join(tmpdir(), 'spotvibe-media-'));
    ctx = await createTestContext({ env: { ...env, MEDIA_ROOT: mediaRoot, PHOTO_MAX_BYTES: '4096' } });
  });
  after(async () => {
    await ctx.close();
    rmSync(mediaRoot, { recursive: true, force: true });
  });
  const upload = (headers: Record<string, string>, content: Buffer, filename = 'photo.jpg', type = 'image/jpeg', field = 'photo') => {
    const m = multipart(field, filename, type, content);
    return ctx.app.inject({ method: 'POST', url: '/api/users/me/photo/', payload: m.payload, headers: { ...headers, ...m.headers } });
  };

  test('JPEG, PNG and WebP are stored re-encoded, in their format, with a WebP variant; the old photo is removed', async () => {
    const u = await register(ctx.app);
    let previous: string | null = null;
    for (const [bytes, type, ext] of [
      [JPEG, 'image/jpeg', 'jpg'],
      [PNG, 'image/png', 'png'],
      [WEBP, 'image/webp', 'webp'],
    ] as const) {
      const r = await upload(u.headers, bytes, `x.${ext}`, type);
      assert.equal(r.statusCode, 200, r.body);
      const url = r.json().photo_profil as string;
      assert.match(url, new RegExp(`^http://localhost(:\\d+)?/media/profiles/[0-9a-f-]{36}\\.${ext}$`));
      const served = await ctx.app.inject({ url: new URL(url).pathname });
      assert.equal(served.statusCode, 200);
      assert.equal(served.headers['content-type'], type);
      // What is served is an image of the same format and size, written by us (not the uploaded bytes).
      const meta = await sharp(served.rawPayload).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], [ext === 'jpg' ? 'jpeg' : ext, 16, 12]);
      assert.equal(meta.exif, undefined);
      const thumb = r.json().photo_profil_miniature as string;
      assert.match(thumb, /\/media\/profiles\/[0-9a-f-]{36}\.thumb\.webp$/);
      const servedThumb = await ctx.app.inject({ url: new URL(thumb).pathname });
      assert.equal(servedThumb.headers['content-type'], 'image/webp');
      assert.equal((await sharp(servedThumb.rawPayload).metadata()).format, 'webp');
      if (previous) assert.equal((await ctx.app.inject({ url: new URL(previous).pathname })).statusCode, 404, 'replaced photo removed');
      previous = url;
    }
    assert.equal(readdirSync(path.join(mediaRoot, 'profiles')).length, 2, 'the photo and its variant');
    const pub = await ctx.app.inject({ url: `/api/users/${u.user.id}/` });
    assert.equal(pub.json().photo_profil, previous);
    const removed = await ctx.app.inject({ method: 'DELETE', url: '/api/users/me/photo/', headers: u.headers });
    assert.equal(removed.json().photo_profil, null);
    assert.equal(readdirSync(path.join(mediaRoot, 'profiles')).length, 0);
  });

  test('EXIF and the GPS position never reach the stored file; bytes appended to an image (a polyglot) are dropped', async () => {
    const u = await register(ctx.app);
    assert.ok(JPEG.includes(Buffer.from('Cocody')), 'the fixture carries EXIF');
    const polyglot = Buffer.concat([JPEG, Buffer.from('<script>alert(document.cookie)</script>')]);
    const r = await upload(u.headers, polyglot);
    assert.equal(r.statusCode, 200, r.body);
    const stored = (await ctx.app.inject({ url: new URL(r.json().photo_profil).pathname })).rawPayload;
    assert.equal(stored.includes(Buffer.from('Cocody')), false);
    assert.equal(stored.includes(Buffer.from('<script>')), false);
    assert.equal((await sharp(stored).metadata()).exif, undefined);
    const stripped = await sharp(JPEG).metadata();
    assert.ok(stripped.exif, 'sharp reads the EXIF of the original');
  });

  test('a non-image renamed .jpg is refused (415), whatever Content-Type it claims', async () => {
    const u = await register(ctx.app);
    const r = await upload(u.headers, Buffer.from('<script>alert(1)</script>'), 'photo.jpg', 'image/jpeg');
    assert.equal(r.statusCode, 415);
    assert.equal(r.json().error, 'Format de photo non pris en charge : JPEG, PNG ou WebP uniquement.');
    const gif = await upload(u.headers, Buffer.from('GIF89a0000000000'), 'photo.gif', 'image/gif');
    assert.equal(gif.statusCode, 415);
  });

  test('too large: 413; empty, wrong field, not multipart, anonymous: clear errors', async () => {
    const u = await register(ctx.app);
    const big = await upload(u.headers, Buffer.concat([JPEG, Buffer.alloc(5000)]));
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().error, 'Photo trop volumineuse (maximum 4 Ko).');
    assert.equal((await upload(u.headers, Buffer.alloc(0))).statusCode, 400);
    const field = await upload(u.headers, JPEG, 'x.jpg', 'image/jpeg', 'image');
    assert.equal(field.statusCode, 400);
    assert.equal(field.json().code, 'no_file');
    const json = await ctx.app.inject({ method: 'POST', url: '/api/users/me/photo/', payload: { photo: 'x' }, headers: u.headers });
    assert.equal(json.statusCode, 415);
    assert.equal((await upload({}, JPEG)).statusCode, 401);
    assert.equal((await ctx.app.inject({ url: '/api/users/me/', headers: u.headers })).json().photo_profil, null);
  });

  test('the media route serves only names we generate', async () => {
    for (const p of [
      '/media/profiles/..%2F..%2Fetc%2Fpasswd',
      '/media/profiles/x.jpg',
      '/media/profiles/00000000-0000-0000-0000-000000000000.jpg',
    ]) {
      assert.equal((await ctx.app.inject({ url: p })).statusCode, 404, p);
    }
  });
});

describe('S3 (AWS_* set), against a local stand-in for PutObject', () => {
  const objects = new Map<string, { body: Buffer; type: string }>();
  const problems: string[] = [];
  const s3 = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      // Recompute the SigV4 signature from what arrived: a wrong key, region or altered header fails here.
      const auth = String(req.headers.authorization ?? '');
      const signedNames = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? [];
      const headers: Record<string, string> = {};
      for (const n of signedNames) if (n !== 'host') headers[n] = String(req.headers[n]);
      const signer = new AwsV4Signer({
        method: req.method!,
        url: `http://${req.headers.host}${req.url}`,
        headers,
        body: new Uint8Array(body),
        accessKeyId: 'AKIATEST',
        secretAccessKey: 'secret-test',
        service: 's3',
        region: 'eu-west-3',
        datetime: String(req.headers['x-amz-date']),
      });
      const expected = (await signer.sign()).headers.get('authorization');
      if (expected !== auth) problems.push(`signature ${req.method} ${req.url}`);
      if (req.method === 'PUT' && req.headers['x-amz-content-sha256'] !== createHash('sha256').update(body).digest('hex'))
        problems.push('payload hash');
      if (req.method === 'PUT') objects.set(req.url!, { body, type: String(req.headers['content-type']) });
      if (req.method === 'DELETE') objects.delete(req.url!);
      res.writeHead(req.method === 'DELETE' ? 204 : 200);
      res.end();
    });
  });
  let ctx: TestContext;
  let endpoint: string;
  before(async () => {
    await new Promise<void>((r) => s3.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(s3.address() as AddressInfo).port}`;
    ctx = await createTestContext({
      env: {
        ...env,
        AWS_ACCESS_KEY_ID: 'AKIATEST',
        AWS_SECRET_ACCESS_KEY: 'secret-test',
        AWS_STORAGE_BUCKET_NAME: 'spotvibe-media',
        AWS_S3_REGION_NAME: 'eu-west-3',
        AWS_S3_ENDPOINT_URL: endpoint,
      },
    });
  });
  after(async () => {
    await ctx.close();
    await new Promise<void>((r) => s3.close(() => r()));
  });

  test('the photo is PUT, signed, into the bucket; the profile points at it; a replaced one is deleted', async () => {
    const u = await register(ctx.app);
    const m = multipart('photo', 'p.png', 'image/png', PNG);
    const r = await ctx.app.inject({
      method: 'POST',
      url: '/api/users/me/photo/',
      payload: m.payload,
      headers: { ...u.headers, ...m.headers },
    });
    assert.equal(r.statusCode, 200, r.body);
    const url = r.json().photo_profil as string;
    assert.match(url, new RegExp(`^${endpoint}/spotvibe-media/profiles/[0-9a-f-]{36}\\.png$`));
    const key = new URL(url).pathname;
    assert.equal((await sharp(objects.get(key)!.body).metadata()).format, 'png');
    assert.equal(objects.get(key)?.type, 'image/png');
    assert.equal(objects.get(key.replace(/\.png$/, '.thumb.webp'))?.type, 'image/webp');
    const m2 = multipart('photo', 'p.jpg', 'image/jpeg', JPEG);
    await ctx.app.inject({ method: 'POST', url: '/api/users/me/photo/', payload: m2.payload, headers: { ...u.headers, ...m2.headers } });
    assert.equal(objects.has(key), false);
    assert.equal(objects.size, 2, 'the new photo and its variant');
    assert.deepEqual(problems, []);
  });
});
