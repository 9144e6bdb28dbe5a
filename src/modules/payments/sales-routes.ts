/** The organizer's sales summary of an event, `GET /api/events/{id}/ventes/` (its creator and staff; sales.ts). */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, IdParams, tokenAuth } from '../../core/schemas.js';
import { PAYMENT_STATUTS } from './tables.js';
import { salesSummary } from './sales.js';
import type { PaymentDeps } from './deps.js';

const Xof = (description: string) => Type.Integer({ description: `${description} (XOF, francs entiers)` });

const Seats = {
  quantite: Type.Integer({ description: 'Places mises en vente' }),
  vendus: Type.Integer({ description: 'Billets vendus (payés, ni annulés ni remboursés)' }),
  reserves: Type.Integer({ description: 'Places retenues par des paiements en cours, pas encore expirés' }),
  disponibles: Type.Integer({ description: 'quantite − vendus − reserves' }),
  entrees: Type.Integer({ description: 'Billets contrôlés à l’entrée' }),
};

const Money = {
  brut: Xof('Paiements réussis, remboursés depuis compris'),
  commission: Xof(
    'Commission de la plateforme sur les ventes conservées (paiements réussis sans remboursement) : par paiement, montant × taux enregistré au moment de la vente / 100, arrondi au franc le plus proche (demi vers le haut), puis additionné',
  ),
  rembourse: Xof('Remboursements effectués'),
  rembourse_en_cours: Xof('Remboursements décidés mais pas encore effectués (en attente, envoyés, échoués à relancer, manuels à régler)'),
  net: Xof('brut − rembourse − commission'),
  net_apres_remboursements_en_cours: Xof('net − rembourse_en_cours : ce qui reste une fois les remboursements en cours effectués'),
};

const SalesSchema = Type.Object(
  {
    evenement: Type.Object({ id: Type.Integer(), titre: Type.String(), statut: Type.String(), capacite_max: Type.Integer() }),
    types_billet: Type.Array(Type.Object({ id: Type.Integer(), nom: Type.String(), prix: Xof('Prix du billet'), ...Seats, ...Money }), {
      description: 'Par type de billet, les moins chers d’abord',
    }),
    places: Type.Object(Seats, { description: 'Tous types confondus' }),
    montants: Type.Object({ devise: Type.Literal('XOF'), ...Money }, { description: 'Tous types confondus' }),
    paiements_par_statut: Type.Object(Object.fromEntries(PAYMENT_STATUTS.map((s) => [s, Type.Integer()])), {
      description: 'Nombre de paiements de billets de l’événement par statut (tous les statuts, même à zéro)',
    }),
    calcule_le: Type.String({ format: 'date-time' }),
  },
  { $id: 'VentesEvenement' },
);

export function salesRoutes(deps: PaymentDeps) {
  return async function routes(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/:id/ventes/',
      {
        preValidation: permissions.IsAuthenticated,
        schema: {
          tags: ['billets'],
          summary: "Ventes d'un événement (organisateur, personnel)",
          description:
            'Par type de billet et au total : places vendues, retenues par des paiements en cours, restantes, entrées contrôlées ; montant brut, commission, remboursements effectués et en cours, net ; paiements par statut. Un événement invisible pour l’appelant : 404 ; visible mais pas le sien : 403.',
          security: tokenAuth,
          params: IdParams,
          response: { 200: SalesSchema, ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        const s = await salesSummary(deps, currentUser(request), request.params.id);
        return { ...s, calcule_le: s.calcule_le.toISOString() };
      },
    );
  };
}
