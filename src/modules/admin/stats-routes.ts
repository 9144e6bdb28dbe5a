/** `GET /api/admin/stats/`: the manual's AdminDashboardView as JSON (API.md "Admin"). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { permissions } from '../../core/auth.js';
import { errors, staffAuth } from '../../core/schemas.js';
import { EVENT_STATUTS } from '../events/tables.js';
import { dashboardStats, REVENUE_DAYS } from './stats.js';
import type { AdminDeps } from './deps.js';

const Xof = (description: string) => Type.Integer({ description: `${description} (XOF, entier)` });

export const StatsSchema = Type.Object({
  total_users: Type.Integer({ description: 'Comptes (hors comptes supprimés)' }),
  total_events: Type.Integer({ description: 'Événements validés (VALIDE)' }),
  pending_events: Type.Integer({ description: 'Événements en attente de modération, pas encore passés (la file de modération)' }),
  pending_revisions: Type.Integer({
    description: 'Modifications d’événements validés en attente de validation (la file de GET /api/admin/events/revisions/)',
  }),
  total_revenue: Xof('Paiements réussis moins les remboursements effectués et en cours (= revenue.net)'),
  revenue: Type.Object({
    brut: Xof('Paiements réussis (remboursés ensuite compris)'),
    rembourse: Xof('Remboursements effectués de ces paiements'),
    rembourse_en_cours: Xof(
      'Remboursements de ces paiements pas encore effectués (en attente, envoyés, échoués à relancer, manuels à régler)',
    ),
    net: Xof(
      'Brut − remboursé − remboursements en cours : un paiement remboursé ou en cours de remboursement n’est pas encaissé (= total_revenue)',
    ),
  }),
  subscriptions_revenue: Xof('Recettes nettes des abonnements des organisateurs'),
  events_stats: Type.Array(Type.Object({ statut: Type.Enum(EVENT_STATUTS), count: Type.Integer() }), {
    description: 'Tous les statuts, même à zéro',
  }),
  revenue_data: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), montant: Type.Integer() }), {
    description: `Recettes nettes par jour (UTC) sur les ${REVENUE_DAYS} derniers jours, aujourd'hui compris, une ligne par jour`,
  }),
  recent_events: Type.Array(
    Type.Object({
      id: Type.Integer(),
      titre: Type.String(),
      statut: Type.String(),
      date_debut: Type.String({ format: 'date-time' }),
      date_creation: Type.String({ format: 'date-time' }),
      lieu: Type.String(),
      createur: Type.Object({ id: Type.Integer(), username: Type.String() }),
      categorie: Type.Object({ id: Type.Integer(), nom: Type.String() }),
    }),
    { description: 'Les 10 derniers événements en attente' },
  ),
  recent_users: Type.Array(
    Type.Object({
      id: Type.Integer(),
      username: Type.String(),
      first_name: Type.String(),
      last_name: Type.String(),
      email_masque: Type.String(),
      is_active: Type.Boolean(),
      is_staff: Type.Boolean(),
      date_creation: Type.String({ format: 'date-time' }),
    }),
    { description: 'Les 10 derniers comptes créés' },
  ),
});

export function statsRoutes(deps: AdminDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsStaff);
    app.get(
      '/',
      {
        prefixTrailingSlash: 'slash',
        schema: {
          tags: ['administration'],
          summary: 'Tableau de bord : chiffres, événements par statut, recettes par jour, derniers événements et comptes',
          security: staffAuth,
          response: { 200: StatsSchema, ...errors(401, 403) },
        },
      },
      async () => dashboardStats(deps),
    );
  };
}
