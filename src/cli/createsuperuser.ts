/**
 * `createsuperuser`: a staff + superuser account, as Django's command. Interactive by default (the password
 * is typed twice, hidden); non-interactive when every value is given as an option.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { users } from '../modules/users/tables.js';
import { hashPassword } from '../core/passwords.js';
import { pgConstraint, pgErrorCode, PG } from '../core/errors.js';

export interface SuperuserInput {
  username: string;
  email: string;
  password: string;
  telephone: string;
}

export type Problems = Partial<Record<keyof SuperuserInput, string>>;

/** +225 and 10 digits (since 2021); spaces, dots and dashes are ignored; 00225 and a bare 10-digit 0X… number are accepted. */
export function normalizeTelephone(input: string): string {
  let t = input.replace(/[\s.\-()]/g, '');
  if (t.startsWith('00225')) t = `+${t.slice(2)}`;
  if (/^0\d{9}$/.test(t)) t = `+225${t}`;
  return t;
}

export function validateSuperuser(input: SuperuserInput): Problems {
  const p: Problems = {};
  if (!/^[\w.@+-]{1,150}$/u.test(input.username)) {
    p.username = "Nom d'utilisateur invalide : 150 caractères au plus, lettres, chiffres et @/./+/-/_ uniquement.";
  }
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email) || input.email.length > 254) p.email = 'Saisissez une adresse e-mail valide.';
  if (!/^\+225\d{10}$/.test(normalizeTelephone(input.telephone))) {
    p.telephone = 'Numéro de téléphone invalide. Format: +225XXXXXXXXXX (10 chiffres après +225).';
  }
  if (input.password.length < 8) p.password = 'Ce mot de passe est trop court. Il doit contenir au minimum 8 caractères.';
  else if (/^\d+$/.test(input.password)) p.password = 'Ce mot de passe est entièrement numérique.';
  else if (input.password.toLowerCase() === input.username.toLowerCase()) p.password = "Le mot de passe est trop semblable au nom d'utilisateur.";
  return p;
}

/** Which existing account already holds one of these values (checked before insert for a clear message). */
export async function findDuplicates(database: Database, input: SuperuserInput): Promise<Problems> {
  const tel = normalizeTelephone(input.telephone);
  const rows = await database.db
    .select({ username: users.username, email: users.email, telephone: users.telephone })
    .from(users)
    .where(sql`lower(${users.username}) = lower(${input.username}) OR lower(${users.email}) = lower(${input.email}) OR ${users.telephone} = ${tel}`);
  const p: Problems = {};
  for (const r of rows) {
    if (r.username.toLowerCase() === input.username.toLowerCase()) p.username = "Ce nom d'utilisateur est déjà pris.";
    if (r.email.toLowerCase() === input.email.toLowerCase()) p.email = 'Un utilisateur avec cette adresse e-mail existe déjà.';
    if (r.telephone === tel) p.telephone = 'Un utilisateur avec ce numéro de téléphone existe déjà.';
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
        telephone: normalizeTelephone(input.telephone),
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
    super(Object.entries(problems).map(([k, v]) => `${k} : ${v}`).join('\n'));
    this.name = 'SuperuserError';
  }
}
