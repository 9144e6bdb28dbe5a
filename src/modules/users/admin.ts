/** Staff tools for the admin dashboard: list and search accounts, deactivate and reactivate them. */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import type { AccountsDeps } from './deps.js';
import { revokeOtherTokens } from './api-tokens.js';
import type { AuthUser } from '../../core/auth.js';
import type { UserRow } from './tables.js';
import { users } from './tables.js';
import { audit, type RequestMeta } from '../../core/audit.js';
import { normalizeTelephone } from './validators.js';

/** "a****@example.com": enough for support to recognise an address, not enough to harvest it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}${'*'.repeat(Math.max(3, at - 1))}${email.slice(at)}`;
}

export function maskTelephone(tel: string): string {
  return tel.startsWith('+225') && tel.length === 14 ? `+225 ${tel.slice(4, 6)} ** ** ** ${tel.slice(12)}` : '***';
}

function toAdmin(u: UserRow) {
  return {
    id: u.id,
    username: u.username,
    first_name: u.firstName,
    last_name: u.lastName,
    email_masque: maskEmail(u.email),
    telephone_masque: maskTelephone(u.telephone),
    is_active: u.isActive,
    is_staff: u.isStaff || u.isSuperuser,
    est_verifie: u.estVerifie,
    email_verifie: u.emailVerifie,
    date_creation: u.dateCreation.toISOString(),
    last_login: u.lastLogin?.toISOString() ?? null,
    supprime: u.dateSuppression !== null,
  };
}

export async function listUsers(
  { db }: Pick<AccountsDeps, 'db'>,
  page: PageRequest,
  q: { search?: string | undefined; is_active?: boolean | undefined; is_staff?: boolean | undefined },
) {
  const conds: SQL[] = [];
  const search = q.search?.trim();
  if (search) {
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const tel = normalizeTelephone(search);
    conds.push(sql`(${users.username} ILIKE ${like} OR ${users.firstName} ILIKE ${like} OR ${users.lastName} ILIKE ${like}
      OR ${users.email} ILIKE ${like} OR ${users.telephone} LIKE ${tel ?? like})`);
  }
  if (q.is_active !== undefined) conds.push(eq(users.isActive, q.is_active));
  if (q.is_staff !== undefined)
    conds.push(q.is_staff ? sql`(${users.isStaff} OR ${users.isSuperuser})` : sql`NOT (${users.isStaff} OR ${users.isSuperuser})`);
  const where = conds.length ? and(...conds) : undefined;
  return paginate(
    page,
    async () =>
      (
        await db
          .select({ n: sql<number>`count(*)::int` })
          .from(users)
          .where(where)
      )[0]!.n,
    async (limit, offset) =>
      (await db.select().from(users).where(where).orderBy(desc(users.dateCreation), desc(users.id)).limit(limit).offset(offset)).map(
        toAdmin,
      ),
  );
}

export async function setUserActive(
  { db }: Pick<AccountsDeps, 'db'>,
  staff: AuthUser,
  targetId: number,
  active: boolean,
  motif: string,
  meta: RequestMeta,
) {
  if (staff.id === targetId) throw new BadRequestError('Vous ne pouvez pas modifier votre propre compte ainsi.', 'self_action');
  return db.transaction(async (tx) => {
    const [target] = await tx.select().from(users).where(eq(users.id, targetId)).for('update');
    if (!target) throw new NotFoundError('Utilisateur introuvable.');
    if (target.dateSuppression) throw new BadRequestError('Ce compte a été supprimé par son titulaire.', 'already_deleted');
    // Only a superuser may act on another member of staff.
    if ((target.isStaff || target.isSuperuser) && !staff.isSuperuser) {
      throw new ForbiddenError('Seul un super-utilisateur peut modifier un compte du personnel.', 'superuser_only');
    }
    const [updated] = await tx
      .update(users)
      .set({ isActive: active, dateModification: sql`now()` })
      .where(eq(users.id, targetId))
      .returning();
    // A deactivated account is logged out everywhere at once, not when its tokens happen to be checked.
    if (!active) await revokeOtherTokens(tx, targetId, null);
    await audit(tx, {
      userId: staff.id,
      action: active ? 'staff_reactivation' : 'staff_desactivation',
      meta,
      cible: `user:${targetId}`,
      details: motif ? { motif } : {},
    });
    return toAdmin(updated!);
  });
}

/** An account by id, username or email (staff tools, the CLI). */
export async function findAccount({ db }: Pick<AccountsDeps, 'db'>, who: string): Promise<UserRow | null> {
  const w = who.trim();
  const [u] = await db
    .select()
    .from(users)
    .where(
      /^\d+$/.test(w) && Number(w) <= 2_147_483_647
        ? eq(users.id, Number(w))
        : sql`lower(${users.username}) = lower(${w}) OR lower(${users.email}) = lower(${w})`,
    )
    .limit(1);
  return u ?? null;
}
