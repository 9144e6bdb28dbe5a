/**
 * The journal (SpotVibe Administration's "Journal", Django's LogEntry over the manual's AuditLog): every staff
 * action with who, what, when and what changed (`details.avant` / `details.apres`), as a whole or for one
 * object (`cible`, e.g. `event:42`, `user:7`, `refund:3`, `categorie:5`), plus the security events of accounts.
 */
import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm';
import { ValidationError } from '../../core/errors.js';
import { auditLogs } from '../../core/audit.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import { users } from '../users/tables.js';
import type { AdminDeps } from './deps.js';

/** How each action reads in French (an unknown one is shown as is). */
export const ACTION_LABELS: Record<string, string> = {
  'event.approve': 'Événement validé',
  'event.reject': 'Événement rejeté',
  'event.cancel': 'Événement annulé par l’organisateur',
  'event.revision.approve': 'Modification d’événement publiée',
  'event.revision.reject': 'Modification d’événement refusée',
  'categorie.create': 'Catégorie créée',
  'categorie.update': 'Catégorie modifiée',
  'categorie.deactivate': 'Catégorie désactivée',
  'categorie.delete': 'Catégorie supprimée',
  'refund.retry': 'Remboursement relancé',
  'refund.settle': 'Remboursement manuel réglé',
  'notification_template.update': 'Modèle de notification modifié',
  plan_cree: 'Formule créée',
  plan_modifie: 'Formule modifiée',
  plan_desactive: 'Formule désactivée',
  plan_supprime: 'Formule supprimée',
  abonnement_octroye: 'Abonnement octroyé',
  abonnement_prolonge: 'Abonnement prolongé',
  staff_desactivation: 'Compte désactivé',
  staff_reactivation: 'Compte réactivé',
  staff_acces_donne: 'Accès du personnel donné',
  staff_acces_retire: 'Accès du personnel retiré',
  export_donnees: 'Données exportées',
  compte_supprime: 'Compte supprimé',
  connexion: 'Connexion',
  connexion_echouee: 'Connexion échouée',
  compte_verrouille: 'Compte verrouillé',
  deconnexion: 'Déconnexion',
  connexion_admin: 'Connexion à l’administration',
  connexion_admin_refusee: 'Connexion à l’administration refusée',
  deconnexion_admin: 'Déconnexion de l’administration',
  inscription: 'Inscription',
  inscription_sociale: 'Inscription (compte social)',
  compte_social_lie: 'Compte social lié',
  profil_modifie: 'Profil modifié',
  mot_de_passe_modifie: 'Mot de passe modifié',
  reinitialisation_demandee: 'Réinitialisation du mot de passe demandée',
  mot_de_passe_reinitialise: 'Mot de passe réinitialisé',
  email_verifie: 'Adresse e-mail vérifiée',
  telephone_verifie: 'Téléphone vérifié',
};

export interface JournalFilters {
  cible?: string | undefined;
  /** The actor. */
  utilisateur?: number | undefined;
  /** Entries by this account or about it (`user:<id>`): a user page's trail. */
  concernant?: number | undefined;
  action?: string | undefined;
  personnel?: boolean | undefined;
  date_debut?: string | undefined;
  date_fin?: string | undefined;
}

function day(field: string, v: string): Date {
  const d = new Date(`${v}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) throw ValidationError.field(field, 'Date invalide (AAAA-MM-JJ).');
  return d;
}

type EntryRow = typeof auditLogs.$inferSelect & { username: string | null };

export function journalView(r: EntryRow) {
  return {
    id: r.id,
    date: r.dateAction.toISOString(),
    action: r.action,
    libelle: ACTION_LABELS[r.action] ?? r.action,
    utilisateur: r.userId === null ? null : { id: r.userId, username: r.username ?? '' },
    cible: r.cible,
    par_personnel: r.parPersonnel,
    details: r.details as Record<string, unknown>,
    ip: r.ip,
    user_agent: r.userAgent,
  };
}
export type JournalEntry = ReturnType<typeof journalView>;

export function journalWhere(f: JournalFilters): SQL | undefined {
  const conds: SQL[] = [];
  if (f.cible) conds.push(eq(auditLogs.cible, f.cible));
  if (f.utilisateur) conds.push(eq(auditLogs.userId, f.utilisateur));
  if (f.concernant) conds.push(or(eq(auditLogs.userId, f.concernant), eq(auditLogs.cible, `user:${f.concernant}`))!);
  if (f.action) conds.push(eq(auditLogs.action, f.action));
  if (f.personnel !== undefined) conds.push(eq(auditLogs.parPersonnel, f.personnel));
  if (f.date_debut) conds.push(gte(auditLogs.dateAction, day('date_debut', f.date_debut)));
  if (f.date_fin) conds.push(lt(auditLogs.dateAction, new Date(day('date_fin', f.date_fin).getTime() + 86_400_000)));
  return conds.length ? and(...conds) : undefined;
}

export async function listJournal(deps: Pick<AdminDeps, 'db'>, f: JournalFilters, page: PageRequest) {
  const where = journalWhere(f);
  return paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(auditLogs)
          .where(where)
      )[0]!.n,
    async (limit, offset) =>
      (
        await deps.db
          .select({ log: auditLogs, username: users.username })
          .from(auditLogs)
          .leftJoin(users, eq(users.id, auditLogs.userId))
          .where(where)
          .orderBy(desc(auditLogs.dateAction), desc(auditLogs.id))
          .limit(limit)
          .offset(offset)
      ).map((r) => journalView({ ...r.log, username: r.username })),
  );
}

/** The newest entries matching `f` (a detail page's trail). */
export async function recentJournal(deps: Pick<AdminDeps, 'db'>, f: JournalFilters, limit = 50): Promise<JournalEntry[]> {
  return (
    await deps.db
      .select({ log: auditLogs, username: users.username })
      .from(auditLogs)
      .leftJoin(users, eq(users.id, auditLogs.userId))
      .where(journalWhere(f))
      .orderBy(desc(auditLogs.dateAction), desc(auditLogs.id))
      .limit(limit)
  ).map((r) => journalView({ ...r.log, username: r.username }));
}
