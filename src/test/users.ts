/** Test builders for accounts: rows straight in the database, or a registration through the API. */
import type { DbOrTx } from '../db/client.js';
import type { App } from '../app.js';
import { users } from '../modules/users/tables.js';
import { hashPassword } from '../core/passwords.js';
import { issueToken } from '../modules/users/api-tokens.js';

let counter = 0;
let cachedHash: Promise<string> | null = null;

/** A short string unique in this process and across the processes of one run (pid-based). */
export function uniq(): string {
  counter += 1;
  return `${process.pid % 10000}${counter}`.padStart(6, '0').slice(-6);
}

export interface UserOverrides {
  username?: string;
  email?: string;
  password?: string;
  telephone?: string;
  firstName?: string;
  lastName?: string;
  isStaff?: boolean;
  isSuperuser?: boolean;
  isActive?: boolean;
  estVerifie?: boolean;
}

export async function createUser(db: DbOrTx, o: UserOverrides = {}) {
  counter += 1;
  const n = `${process.pid % 1000}${counter}`.padStart(8, '0').slice(-8);
  // Hashing is deliberately slow; tests share one hash unless they choose a password.
  const password = o.password ? await hashPassword(o.password) : await (cachedHash ??= hashPassword('motdepasse-test-123'));
  const [user] = await db
    .insert(users)
    .values({
      username: o.username ?? `user${n}`,
      email: o.email ?? `user${n}@example.com`,
      password,
      telephone: o.telephone ?? `+22507${n}`,
      firstName: o.firstName ?? '',
      lastName: o.lastName ?? '',
      isStaff: o.isStaff ?? false,
      isSuperuser: o.isSuperuser ?? false,
      isActive: o.isActive ?? true,
      estVerifie: o.estVerifie ?? false,
    })
    .returning();
  return user!;
}

export async function createUserWithToken(db: DbOrTx, o: UserOverrides = {}) {
  const user = await createUser(db, o);
  const token = await issueToken(db, user.id);
  return { user, token, headers: { authorization: `Token ${token}` } };
}

/** A valid registration body (the manual's fields), unique per call. */
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

/** Registers through the API (POST /api/users/register/) and returns the token, the user and auth headers. */
export async function register(app: App, over: Record<string, unknown> = {}, remoteAddress = '10.9.0.1') {
  const body = registration(over);
  const r = await app.inject({ method: 'POST', url: '/api/users/register/', payload: body, remoteAddress });
  if (r.statusCode !== 201) throw new Error(`inscription refusée : ${r.statusCode} ${r.body}`);
  const json = r.json() as { token: string; user: { id: number; username: string; email: string; telephone: string } };
  return { ...json, body, headers: { authorization: `Token ${json.token}` } };
}
