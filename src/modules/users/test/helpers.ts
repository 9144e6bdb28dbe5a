/** Shared by the accounts tests: registering through the API, reading queued jobs, building multipart bodies. */
import type { App } from '../../../app.js';
import type { Database } from '../../../db/client.js';

let n = 0;
export function uniq(): string {
  n += 1;
  return `${process.pid % 10000}${n}`.padStart(6, '0').slice(-6);
}

export function registration(over: Record<string, unknown> = {}) {
  const u = uniq();
  return {
    username: `awa${u}`,
    email: `awa${u}@exemple.ci`,
    password: 'Soleil-Abidjan-2024',
    password_confirm: 'Soleil-Abidjan-2024',
    first_name: 'Awa',
    last_name: 'Koné',
    telephone: `+2250701${u}`,
    ...over,
  };
}

export async function register(app: App, over: Record<string, unknown> = {}, remoteAddress = '10.9.0.1') {
  const body = registration(over);
  const r = await app.inject({ method: 'POST', url: '/api/users/register/', payload: body, remoteAddress });
  if (r.statusCode !== 201) throw new Error(`inscription refusée : ${r.statusCode} ${r.body}`);
  const json = r.json() as { token: string; user: { id: number; username: string; email: string; telephone: string } };
  return { ...json, body, headers: { authorization: `Token ${json.token}` } };
}

/** Jobs enqueued under a name (pg-boss keeps them in its own tables, on both databases). */
export async function queuedJobs<T>(database: Database, name: string): Promise<T[]> {
  const r = await database.query<{ data: T }>(`SELECT data FROM pgboss.job WHERE name = $1 ORDER BY created_on`, [name]);
  return r.rows.map((row) => row.data);
}

export function multipart(field: string, filename: string, contentType: string, content: Buffer) {
  const boundary = `----spotvibe${Math.random().toString(16).slice(2)}`;
  const payload = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
