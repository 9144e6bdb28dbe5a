/**
 * The staff web interface (SpotVibe Administration) at /admin/: the files Vite built into admin/dist/, served by
 * this app, so it works offline with nothing fetched from elsewhere (no CDN, no web font, no telemetry). The
 * interface uses a hash router (/admin/#/events), so only index.html and the hashed assets are served.
 *
 * index.html carries a strict Content-Security-Policy: scripts and connections to this origin only (an injected
 * script could not load code or send data elsewhere); `style-src` also allows inline styles, which MUI's styling
 * engine (emotion) inserts at run time; images also from the media store's origin when it is elsewhere (S3).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { escapeHtml } from '../../core/html.js';
import type { AdminDeps } from './deps.js';

const PREFIX = '/admin/';

export function adminCsp(mediaOrigin: string | null): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${mediaOrigin ? ` ${mediaOrigin}` : ''}`,
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The media store's origin when its URLs point elsewhere (a bucket, a CDN); null when it is this app. */
function mediaOriginOf(deps: AdminDeps): string | null {
  const probe = 'http://spotvibe.invalid';
  const url = deps.media.url('events/probe.webp', probe);
  if (!url) return null;
  const origin = new URL(url).origin;
  return origin === probe ? null : origin;
}

const NOT_BUILT = (dir: string) => `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>SpotVibe Administration</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>SpotVibe Administration</h1>
<p>L’interface n’est pas encore construite sur ce serveur (<code>${escapeHtml(dir)}</code> est introuvable).</p>
<p>Lancez <code>npm run build:admin</code> (ou <code>npm install</code>), puis rechargez cette page.</p>
</body></html>`;

export function uiRoutes(deps: AdminDeps) {
  return async function routes(app: FastifyInstance): Promise<void> {
    const csp = adminCsp(mediaOriginOf(deps));
    app.addHook('onSend', async (_request, reply) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
        void reply.header('content-security-policy', csp);
        void reply.header('cache-control', 'no-cache');
      }
    });

    const index = path.join(deps.uiDir, 'index.html');
    const built = existsSync(index);
    if (!built) app.log.warn({ dir: deps.uiDir }, 'interface d’administration non construite : npm run build:admin');
    // The router ignores trailing slashes: this one route answers /admin and /admin/ (the wildcard below does not).
    // /admin is sent to /admin/, the one address of the page.
    app.get('/admin/', { schema: { hide: true } }, async (request, reply) => {
      const [pathname, query] = request.url.split('?', 2);
      if (pathname === '/admin') return reply.redirect(`/admin/${query ? `?${query}` : ''}`, 301);
      if (!built) return reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT(deps.uiDir));
      return reply.type('text/html; charset=utf-8').send(await readFile(index));
    });
    if (!built) {
      app.get(`${PREFIX}*`, { schema: { hide: true } }, async (_request, reply) =>
        reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT(deps.uiDir)),
      );
      return;
    }
    await app.register(fastifyStatic, {
      root: deps.uiDir,
      prefix: PREFIX,
      decorateReply: false,
      index: false,
      list: false,
      dotfiles: 'deny',
      wildcard: true,
      schemaHide: true,
      // What this serves is Vite's output, every file named by its content (index.html has the route above):
      // cached for ever.
      maxAge: '365d',
      immutable: true,
    });
  };
}
