/** Test data builders: users and tokens straight in the database, for tests of other modules. */
import type { DbOrTx } from '../db/client.js';
import { users } from '../modules/users/tables.js';
import { hashPassword } from '../core/passwords.js';
import { issueToken } from '../modules/users/api-tokens.js';

let counter = 0;
let cachedHash: Promise<string> | null = null;

export interface UserOverrides {
  username?: string;
  email?: string;
  password?: string;
  telephone?: string;
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
