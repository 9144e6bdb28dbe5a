/**
 * One place for HTTP: the same-origin session cookie (httpOnly: this code never sees it), the CSRF token kept in
 * memory only (never localStorage) and sent as X-CSRF-Token on every request that changes something, and the
 * API's error body `{error, code, details?}` turned into react-admin's HttpError (details → form field errors).
 */
import { fetchUtils, HttpError } from 'react-admin';

export const API_ROOT = '/api/admin';

let csrfToken: string | null = null;
export const setCsrfToken = (t: string | null | undefined) => {
  csrfToken = t ?? null;
};

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export type ApiErrorBody = { error?: string; code?: string; details?: Record<string, string[]> };

export async function apiFetch(path: string, options: fetchUtils.Options = {}) {
  const method = (options.method ?? 'GET').toUpperCase();
  // fetchJson calls headers.has()/set(): a Headers instance, not a plain object.
  const headers = new Headers(options.headers as HeadersInit | undefined);
  headers.set('Accept', 'application/json');
  if (!SAFE.has(method) && csrfToken) headers.set('X-CSRF-Token', csrfToken);
  try {
    return await fetchUtils.fetchJson(`${API_ROOT}${path}`, { ...options, method, headers, credentials: 'same-origin' });
  } catch (e) {
    if (e instanceof HttpError) {
      const body = (e.body ?? {}) as ApiErrorBody;
      const message = body.error ?? (e.status === 0 ? 'Serveur injoignable' : e.message);
      // react-admin shows body.errors.<field> under the matching input (server-side validation).
      const errors = body.details ? Object.fromEntries(Object.entries(body.details).map(([k, v]) => [k, v.join(' ')])) : undefined;
      throw new HttpError(message, e.status, { ...body, ...(errors ? { errors } : {}) });
    }
    throw e;
  }
}

/** POST with a JSON body; returns the answer's JSON. */
export async function apiPost<T = unknown>(path: string, body: unknown = {}): Promise<T> {
  return (await apiFetch(path, { method: 'POST', body: JSON.stringify(body) })).json as T;
}

/** A file for the browser to save (JSON export): POST, then a blob link clicked once. */
export async function downloadJson(path: string, body: unknown, filename: string): Promise<void> {
  const json = await apiPost(path, body);
  const url = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
