/**
 * Door staff of an event, under `/api/events/{id}/equipe/` (its creator only): members with their role, and
 * the scanner tokens of their door devices.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { errors, tokenAuth } from '../../core/schemas.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { TEAM_ROLES } from './tables.js';
import {
  addMember,
  issueScannerToken,
  listScannerTokens,
  listTeam,
  removeMember,
  revokeScannerToken,
  type ScannerTokenRow,
  type TeamMember,
} from './service.js';
import type { TeamDeps } from './deps.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
const Params = Type.Object({ id: Id });

const MemberSchema = Type.Object(
  {
    id: Type.Integer(),
    evenement_id: Type.Integer(),
    role: Type.Enum(TEAM_ROLES),
    utilisateur: Type.Object({ id: Type.Integer(), username: Type.String(), first_name: Type.String(), last_name: Type.String() }),
    date_ajout: Type.String({ format: 'date-time' }),
  },
  { $id: 'TeamMember' },
);

const TokenSchema = Type.Object(
  {
    id: Type.Integer(),
    evenement_id: Type.Integer(),
    membre_id: Type.Integer(),
    utilisateur: Type.Object({ id: Type.Integer(), username: Type.String() }),
    libelle: Type.String(),
    date_creation: Type.String({ format: 'date-time' }),
    derniere_utilisation: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    revoque_le: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'ScannerToken' },
);

function memberView(m: TeamMember) {
  return {
    id: m.id,
    evenement_id: m.evenementId,
    role: m.role,
    utilisateur: { id: m.utilisateurId, username: m.username, first_name: m.firstName, last_name: m.lastName },
    date_ajout: m.dateAjout.toISOString(),
  };
}

function tokenView(t: ScannerTokenRow) {
  return {
    id: t.id,
    evenement_id: t.evenementId,
    membre_id: t.membreId,
    utilisateur: { id: t.utilisateurId, username: t.username },
    libelle: t.libelle,
    date_creation: t.dateCreation.toISOString(),
    derniere_utilisation: t.derniereUtilisation?.toISOString() ?? null,
    revoque_le: t.revoqueLe?.toISOString() ?? null,
  };
}

export function teamRoutes(deps: TeamDeps) {
  return async function routes(instance: FastifyInstance): Promise<void> {
    const app = instance.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('preValidation', permissions.IsAuthenticated);

    app.get(
      '/:id/equipe/',
      {
        schema: {
          tags: ['équipe'],
          summary: "Équipe de l'événement (créateur)",
          security: tokenAuth,
          params: Params,
          querystring: Type.Object(PaginationQuery),
          response: { 200: Paginated(MemberSchema), ...errors(401, 403, 404) },
        },
      },
      async (request) =>
        pageResponse(
          request,
          mapPage(await listTeam(deps, currentUser(request), request.params.id, pageRequest(request.query)), memberView),
          deps.config.publicBaseUrl,
        ),
    );

    app.post(
      '/:id/equipe/',
      {
        schema: {
          tags: ['équipe'],
          summary: "Ajouter un membre à l'équipe, ou changer son rôle (créateur)",
          description:
            "SCANNER : contrôle des billets et recherche de participants de l'événement. GESTIONNAIRE : en plus, types de billets et chiffres de vente. " +
            "Le nombre de membres par événement est limité par le forfait de l'organisateur (403 `plan_limit`). 201 pour un nouveau membre, 200 quand son rôle change.",
          security: tokenAuth,
          params: Params,
          body: Type.Object({
            utilisateur: Type.Union([Id, Type.String({ minLength: 1, maxLength: 254 })], {
              description: "Identifiant, e-mail, nom d'utilisateur ou téléphone du membre",
            }),
            role: Type.Enum(TEAM_ROLES),
          }),
          response: { 200: MemberSchema, 201: MemberSchema, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { member, created } = await addMember(deps, currentUser(request), request.params.id, request.body);
        return reply.code(created ? 201 : 200).send(memberView(member));
      },
    );

    app.delete(
      '/:id/equipe/:membre_id/',
      {
        schema: {
          tags: ['équipe'],
          summary: "Retirer un membre de l'équipe (créateur) ; ses jetons de contrôle cessent de fonctionner",
          security: tokenAuth,
          params: Type.Object({ id: Id, membre_id: Id }),
          response: { 204: Type.Null(), ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await removeMember(deps, currentUser(request), request.params.id, request.params.membre_id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/:id/equipe/:membre_id/jetons/',
      {
        schema: {
          tags: ['équipe'],
          summary: "Jeton de contrôle pour l'appareil d'un membre (créateur)",
          description:
            'Clé `svscan_…` montrée une seule fois : elle ne permet que le contrôle des billets de cet événement, la recherche de participants ' +
            "et l'export / la synchronisation hors ligne. Toute autre route la refuse (403).",
          security: tokenAuth,
          params: Type.Object({ id: Id, membre_id: Id }),
          body: Type.Object({ libelle: Type.Optional(Type.String({ maxLength: 100 })) }),
          response: {
            201: Type.Object({ jeton: Type.String(), detail: TokenSchema }),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const { key, token } = await issueScannerToken(
          deps,
          currentUser(request),
          request.params.id,
          request.params.membre_id,
          request.body?.libelle ?? '',
        );
        return reply.code(201).send({ jeton: key, detail: tokenView(token) });
      },
    );

    app.get(
      '/:id/equipe/jetons/',
      {
        schema: {
          tags: ['équipe'],
          summary: "Jetons de contrôle de l'événement, avec leur dernière utilisation (créateur)",
          security: tokenAuth,
          params: Params,
          querystring: Type.Object(PaginationQuery),
          response: { 200: Paginated(TokenSchema), ...errors(401, 403, 404) },
        },
      },
      async (request) =>
        pageResponse(
          request,
          mapPage(await listScannerTokens(deps, currentUser(request), request.params.id, pageRequest(request.query)), tokenView),
          deps.config.publicBaseUrl,
        ),
    );

    app.delete(
      '/:id/equipe/jetons/:jeton_id/',
      {
        schema: {
          tags: ['équipe'],
          summary: 'Révoquer un jeton de contrôle (créateur)',
          security: tokenAuth,
          params: Type.Object({ id: Id, jeton_id: Id }),
          response: { 204: Type.Null(), ...errors(401, 403, 404) },
        },
      },
      async (request, reply) => {
        await revokeScannerToken(deps, currentUser(request), request.params.id, request.params.jeton_id);
        return reply.code(204).send(null);
      },
    );
  };
}
