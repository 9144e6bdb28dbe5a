/**
 * Revisions of published events (revisions.ts): the organizer reads or withdraws theirs under
 * /api/events/{id}/revision/; staff moderate them under /api/admin/events/revisions/, each with its diff.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { currentUser, permissions } from '../../core/auth.js';
import { requestMeta } from '../../core/audit.js';
import { mapPage, Paginated, PaginationQuery, pageRequest, pageResponse } from '../../core/pagination.js';
import { errors, IdParams, staffAuth, tokenAuth } from '../../core/schemas.js';
import { toSummary } from '../users/profile.js';
import { RejectBody, RevisionSchema } from './schemas.js';
import {
  approveRevision,
  CONTENT_KEYS,
  CONTENT_LABELS,
  listPendingRevisions,
  rejectRevision,
  revisionById,
  revisionOfEvent,
  withdrawRevision,
  type EventContent,
  type RevisionView,
} from './revisions.js';
import { serializerFor } from './http.js';
import type { EventSerializer } from './serializer.js';
import type { EventsDeps } from './deps.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A revision in the API's names: the diff with URLs for the image and names for the category. */
export function toRevisionJson(view: RevisionView, ser: EventSerializer) {
  const { revision: r } = view;
  const champs = r.champs as Partial<EventContent>;
  const avant = r.avant as Partial<EventContent>;
  const shown = (k: keyof EventContent, v: unknown) => {
    if (k === 'image') return ser.media.url(v as string, ser.origin);
    if (k === 'categorie') return { id: v as number, nom: view.categories[v as number] ?? '' };
    return v ?? null;
  };
  const modifications = CONTENT_KEYS.filter((k) => k !== 'image_miniature' && k in champs).map((k) => ({
    champ: k,
    libelle: CONTENT_LABELS[k],
    avant: shown(k, avant[k]),
    apres: shown(k, champs[k]),
  }));
  return {
    id: r.id,
    evenement: { id: view.event.id, titre: view.event.titre, statut: view.event.statut },
    statut: r.statut,
    modifications,
    auteur: view.auteur ? toSummary(view.auteur, ser) : null,
    moderateur: r.moderateurId,
    motif_rejet: r.motifRejet,
    date_creation: r.dateCreation.toISOString(),
    date_decision: iso(r.dateDecision),
  };
}

const MessageAndRevision = Type.Object({ message: Type.String(), revision: RevisionSchema });

/** /api/events/{id}/revision/: the organizer's side. */
export function eventRevisionRoutes(deps: EventsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const ser = serializerFor(deps);
    const TAGS = ['événements'];

    app.get(
      '/:id/revision/',
      {
        schema: {
          tags: TAGS,
          summary: "La modification d'un événement validé qui attend la validation de l'équipe",
          description:
            'Réservé au créateur et au personnel. Le titre, les descriptions, la catégorie, l’image et le lieu d’un événement validé ne changent qu’après validation ; la version publiée reste affichée jusque-là. 404 sans modification en attente.',
          security: tokenAuth,
          params: IdParams,
          response: { 200: RevisionSchema, ...errors(401, 404) },
        },
        preValidation: permissions.IsAuthenticated,
      },
      async (request) => toRevisionJson(await revisionOfEvent(deps, currentUser(request), request.params.id), ser(request)),
    );

    app.delete(
      '/:id/revision/',
      {
        schema: {
          tags: TAGS,
          summary: 'Retirer sa modification en attente (la version publiée reste)',
          security: tokenAuth,
          params: IdParams,
          response: { 204: Type.Null(), ...errors(401, 403, 404) },
        },
        preValidation: permissions.IsAuthenticated,
      },
      async (request, reply) => {
        await withdrawRevision(deps, currentUser(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}

/** /api/admin/events/revisions/: staff's queue and decisions. */
export function revisionModerationRoutes(deps: EventsDeps) {
  return async function routes(base: FastifyInstance): Promise<void> {
    const app = base.withTypeProvider<TypeBoxTypeProvider>();
    const ser = serializerFor(deps);
    const TAGS = ['modération'];
    app.addHook('preValidation', permissions.IsStaff);

    app.get(
      '/',
      {
        schema: {
          tags: TAGS,
          summary: 'Modifications d’événements validés en attente (les plus anciennes d’abord), avec leurs différences',
          security: staffAuth,
          querystring: Type.Object(PaginationQuery),
          response: { 200: Paginated(RevisionSchema), ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        const slice = await listPendingRevisions(deps, pageRequest(request.query));
        const s = ser(request);
        return pageResponse(
          request,
          mapPage(slice, (v) => toRevisionJson(v, s)),
          deps.config.publicBaseUrl,
        );
      },
    );

    app.get(
      '/:id/',
      {
        schema: {
          tags: TAGS,
          summary: 'Une modification (en attente ou décidée) et ses différences',
          security: staffAuth,
          params: IdParams,
          response: { 200: RevisionSchema, ...errors(401, 403, 404) },
        },
      },
      async (request) => toRevisionJson(await revisionById(deps, request.params.id), ser(request)),
    );

    app.post(
      '/:id/approve/',
      {
        schema: {
          tags: TAGS,
          summary: 'Publier la modification ; les participants sont prévenus d’un changement de lieu',
          security: staffAuth,
          params: IdParams,
          response: { 200: MessageAndRevision, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        await approveRevision(deps, currentUser(request), request.params.id, requestMeta(request));
        return { message: 'Modification publiée.', revision: toRevisionJson(await revisionById(deps, request.params.id), ser(request)) };
      },
    );

    app.post(
      '/:id/reject/',
      {
        schema: {
          tags: TAGS,
          summary: 'Refuser la modification avec un motif ; la version publiée reste',
          security: staffAuth,
          params: IdParams,
          body: RejectBody,
          response: { 200: MessageAndRevision, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        await rejectRevision(deps, currentUser(request), request.params.id, request.body.motif, requestMeta(request));
        return { message: 'Modification refusée.', revision: toRevisionJson(await revisionById(deps, request.params.id), ser(request)) };
      },
    );
  };
}
