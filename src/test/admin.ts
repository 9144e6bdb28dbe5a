/** Test kit for SpotVibe Administration: signing in as the browser does (session cookie + CSRF token). */
import type { App } from '../app.js';

export interface BrowserSession {
  /** The Cookie header value. */
  cookie: string;
  csrf: string;
  /** Headers of a safe request (GET). */
  read: Record<string, string>;
  /** Headers of a request that changes something (cookie + X-CSRF-Token). */
  write: Record<string, string>;
}

/** Signs in through POST /api/admin/session/ and returns what a browser would then send. */
export async function signInStaff(app: App, login: string, password: string): Promise<BrowserSession> {
  const r = await app.inject({ method: 'POST', url: '/api/admin/session/', payload: { login, password } });
  if (r.statusCode !== 200) throw new Error(`connexion refusée : ${r.statusCode} ${r.body}`);
  const c = r.cookies.find((x) => x.name.endsWith('sv_admin_session'));
  if (!c) throw new Error('pas de cookie de session');
  const cookie = `${c.name}=${c.value}`;
  const csrf = (r.json() as { csrf_token: string }).csrf_token;
  return { cookie, csrf, read: { cookie }, write: { cookie, 'x-csrf-token': csrf } };
}
