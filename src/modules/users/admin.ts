/**
 * Staff tools for SpotVibe Administration: list and search accounts, deactivate and reactivate them, grant or
 * withdraw staff access (superusers only), and handle a person's data requests (export, erasure).
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import type { AccountsDeps } from './deps.js';
import { revokeOtherTokens } from './api-tokens.js';
import type { AuthUser } from '../../core/auth.js';
import type { UserRow } from './tables.js';
import { authTokens, users } from './tables.js';
import { audit, changes, type RequestMeta } from '../../core/audit.js';
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

export function toAdmin(u: UserRow) {
  return {
    id: u.id,
    username: u.username,
    first_name: u.firstName,
    last_name: u.lastName,
    email_masque: maskEmail(u.email),
    telephone_masque: maskTelephone(u.telephone),
    is_active: u.isActive,
    is_staff: u.isStaff || u.isSuperuser,
    is_superuser: u.isSuperuser,
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
      staff: true,
      details: { ...(motif ? { motif } : {}), ...changes({ is_active: target.isActive }, { is_active: active }) },
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

/**
 * Grants or withdraws staff access (SpotVibe Administration, the moderation routes). Superusers only, never
 * on one's own account, never on a superuser (that flag is the CLI's). Withdrawing it ends the person's open
 * administration sessions at once.
 */
export async function setStaffFlag(
  { db }: Pick<AccountsDeps, 'db'>,
  staff: AuthUser,
  targetId: number,
  isStaff: boolean,
  meta: RequestMeta,
) {
  if (!staff.isSuperuser)
    throw new ForbiddenError("Seul un super-utilisateur peut donner ou retirer l'accès du personnel.", 'superuser_only');
  if (staff.id === targetId) throw new BadRequestError('Vous ne pouvez pas modifier votre propre compte ainsi.', 'self_action');
  return db.transaction(async (tx) => {
    const [target] = await tx.select().from(users).where(eq(users.id, targetId)).for('update');
    if (!target) throw new NotFoundError('Utilisateur introuvable.');
    if (target.dateSuppression) throw new BadRequestError('Ce compte a été supprimé par son titulaire.', 'already_deleted');
    if (target.isSuperuser) {
      throw new BadRequestError('Ce compte est super-utilisateur : son accès ne se change pas ici.', 'superuser_account');
    }
    if (target.isStaff === isStaff) return toAdmin(target);
    const [updated] = await tx
      .update(users)
      .set({ isStaff, dateModification: sql`now()` })
      .where(eq(users.id, targetId))
      .returning();
    if (!isStaff) await tx.delete(authTokens).where(and(eq(authTokens.userId, targetId), eq(authTokens.type, 'SESSION_PERSONNEL')));
    await audit(tx, {
      userId: staff.id,
      action: isStaff ? 'staff_acces_donne' : 'staff_acces_retire',
      meta,
      cible: `user:${targetId}`,
      staff: true,
      details: changes({ is_staff: target.isStaff }, { is_staff: isStaff }),
    });
    return toAdmin(updated!);
  });
}

/** An account's staff view (the administration's user page), masked as in the list. */
export async function getUserForStaff({ db }: Pick<AccountsDeps, 'db'>, id: number) {
  const [u] = await db.select().from(users).where(eq(users.id, id));
  if (!u) throw new NotFoundError('Utilisateur introuvable.');
  return toAdmin(u);
}

/** Who may handle a person's data request: any staff for an ordinary account, a superuser for staff. */
export async function assertMayHandleDataRequest({ db }: Pick<AccountsDeps, 'db'>, staff: AuthUser, targetId: number) {
  if (staff.id === targetId) {
    throw new BadRequestError('Pour vos propres données, utilisez votre profil (export et suppression du compte).', 'self_action');
  }
  const [target] = await db.select().from(users).where(eq(users.id, targetId));
  if (!target) throw new NotFoundError('Utilisateur introuvable.');
  if ((target.isStaff || target.isSuperuser) && !staff.isSuperuser) {
    throw new ForbiddenError('Seul un super-utilisateur peut modifier un compte du personnel.', 'superuser_only');
  }
  return target;
}
