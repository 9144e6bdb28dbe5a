/**
 * The few HTML pages the server itself shows (payment return pages, the email-verification and password-reset
 * pages a link in an email opens): one French layout, one stylesheet and the pages' small scripts served from
 * this origin, and a strict Content-Security-Policy (no inline script or style, nothing from elsewhere), so an
 * injected string can never run.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { escapeHtml } from './html.js';

export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface PageContent {
  status?: number;
  title: string;
  /** The header's colour (its CSS class): blue while waiting, green done, red failed, amber to act, grey neutral. */
  tone: 'info' | 'success' | 'error' | 'warning' | 'neutral';
  paragraphs: string[];
  /** Reload the page every few seconds (a state that will change soon). */
  reload?: boolean;
  /** Trusted HTML placed after the paragraphs (a form): built from escaped parts only. */
  html?: string;
  /** Scripts of this origin the page loads (`/static/…`). */
  scripts?: string[];
}

const RELOAD_SECONDS = 3;

export function renderPage(p: PageContent): string {
  const meta = p.reload ? `<meta http-equiv="refresh" content="${RELOAD_SECONDS}">` : '';
  const body = p.paragraphs.map((t) => `<p>${escapeHtml(t)}</p>`).join('');
  const scripts = (p.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('');
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">${meta}<title>${escapeHtml(p.title)} · SpotVibe</title><link rel="stylesheet" href="/static/spotvibe.css">${scripts}</head>
<body><main><h1 class="${p.tone}">${escapeHtml(p.title)}</h1><div id="contenu">${body}${p.html ?? ''}</div><footer>SpotVibe</footer></main></body></html>`;
}

export function sendPage(reply: FastifyReply, page: PageContent): FastifyReply {
  return reply
    .code(page.status ?? 200)
    .header('cache-control', 'no-store')
    .header('content-security-policy', PAGE_CSP)
    .header('referrer-policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(renderPage(page));
}

const STYLESHEET = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f5f7;margin:0;color:#1d1d1f}
main{max-width:28rem;margin:3rem auto;background:#fff;border-radius:12px;box-shadow:0 1px 4px #0002;overflow:hidden}
h1{margin:0;padding:1rem 1.25rem;font-size:1.25rem;color:#fff;background:#0a7cff}
h1.success{background:#1e8e3e}h1.error{background:#c5221f}h1.warning{background:#b26a00}h1.neutral{background:#6e6e73}
p{margin:1rem 1.25rem;line-height:1.45}footer{padding:.75rem 1.25rem;font-size:.85rem;color:#6e6e73;border-top:1px solid #eee}
form{margin:1rem 1.25rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.6rem;border:1px solid #c7c7cc;border-radius:8px;font-size:1rem}
button{margin-top:1rem;padding:.7rem 1rem;border:0;border-radius:8px;background:#0a7cff;color:#fff;font-size:1rem;width:100%}
.erreur{color:#c5221f;margin:.25rem 0 0;font-size:.9rem}
`;

const ASSET_CACHE = 'public, max-age=86400';

/** Serves `/static/spotvibe.css`, the stylesheet of every page (registered once, by the app). */
export function registerPageStyles(app: FastifyInstance): void {
  app.get('/static/spotvibe.css', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', ASSET_CACHE).type('text/css; charset=utf-8').send(STYLESHEET),
  );
}

/** Serves a page's script at `/static/<name>` (a module's own pages). */
export function servePageScript(app: FastifyInstance, name: string, source: string): void {
  app.get(`/static/${name}`, { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', ASSET_CACHE).type('text/javascript; charset=utf-8').send(source),
  );
}
