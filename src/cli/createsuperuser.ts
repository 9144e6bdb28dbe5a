/**
 * `createsuperuser`: a staff + superuser account, as Django's command. Interactive by default (the password
 * is typed twice, hidden); non-interactive when every value is given as an option.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { users } from '../modules/users/tables.js';
import { hashPassword } from '../core/passwords.js';
import { pgConstraint, pgErrorCode, PG } from '../core/errors.js';
import {
  EMAIL_MESSAGE,
  PHONE_MESSAGE,
  normalizeTelephone,
  passwordProblems,
  validEmail,
  usernameProblem,
} from '../modules/users/validators.js';
import { DUPLICATE_MESSAGES } from '../modules/users/account.js';

export interface SuperuserInput {
  username: string;
  email: string;
  password: string;
  telephone: string;
}

export type Problems = Partial<Record<keyof SuperuserInput, string>>;

/** The account rules of the users module: the same as the API's registration, so an operator cannot create what users could not. */
export function validateSuperuser(input: SuperuserInput): Problems {
  const p: Problems = {};
  const badUsername = usernameProblem(input.username);
  if (badUsername) p.username = badUsername;
  if (!validEmail(input.email)) p.email = EMAIL_MESSAGE;
  if (!normalizeTelephone(input.telephone)) p.telephone = PHONE_MESSAGE;
  const pw = passwordProblems(input.password, { username: input.username, email: input.email });
  if (pw.length) p.password = pw.join(' ');
  return p;
}

/** Which existing account already holds one of these values (checked before insert for a clear message). */
export async function findDuplicates(database: Database, input: SuperuserInput): Promise<Problems> {
  const tel = normalizeTelephone(input.telephone) ?? input.telephone;
  const rows = await database.db
    .select({ username: users.username, email: users.email, telephone: users.telephone })
    .from(users)
    .where(
      sql`lower(${users.username}) = lower(${input.username}) OR lower(${users.email}) = lower(${input.email}) OR ${users.telephone} = ${tel}`,
    );
  const p: Problems = {};
  for (const r of rows) {
    if (r.username.toLowerCase() === input.username.toLowerCase()) p.username = DUPLICATE_MESSAGES.username;
    if (r.email.toLowerCase() === input.email.toLowerCase()) p.email = DUPLICATE_MESSAGES.email;
    if (r.telephone === tel) p.telephone = DUPLICATE_MESSAGES.telephone;
  }
  return p;
}

export async function createSuperuser(database: Database, input: SuperuserInput): Promise<{ id: number }> {
  const problems = { ...validateSuperuser(input), ...(await findDuplicates(database, input)) };
  if (Object.keys(problems).length) throw new SuperuserError(problems);
  try {
    const [row] = await database.db
      .insert(users)
      .values({
        username: input.username,
        email: input.email,
        password: await hashPassword(input.password),
        telephone: normalizeTelephone(input.telephone)!,
        isStaff: true,
        isSuperuser: true,
        // Created by an operator on the server: trusted as verified.
        estVerifie: true,
        dateVerification: new Date(),
        emailVerifie: true,
      })
      .returning({ id: users.id });
    return row!;
  } catch (err) {
    // Someone created the same account between our check and the insert: the unique index decides.
    if (pgErrorCode(err) === PG.uniqueViolation) {
      const c = pgConstraint(err) ?? '';
      const field = c.includes('email') ? 'email' : c.includes('telephone') ? 'telephone' : 'username';
      throw new SuperuserError({ [field]: 'Cette valeur est déjà utilisée par un autre compte.' });
    }
    throw err;
  }
}

export class SuperuserError extends Error {
  constructor(public readonly problems: Problems) {
    super(
      Object.entries(problems)
        .map(([k, v]) => `${k} : ${v}`)
        .join('\n'),
    );
    this.name = 'SuperuserError';
  }
}
