/**
 * The events API's shapes. `EventSchema` is the manual's EventSerializer (fields '__all__', nested
 * `createur` and `categorie`, `participants_count`, `is_participating`); as a response schema it is also
 * what leaves the server: a field not listed here is never sent.
 */
import { Type } from 'typebox';
import { EVENT_STATUTS } from './tables.js';
import { PaginationQuery } from '../../core/pagination.js';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | ReturnType<typeof Type.Number>>(t: T) =>
  Type.Union([t, Type.Null()]);

export const EventCategorySchema = Type.Object({
  id: Type.Integer(),
  nom: Type.String(),
  slug: Type.String(),
  description: Type.String(),
  icone: Type.String(),
  couleur: Type.String(),
});

export const UserPublicSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  first_name: Type.String(),
  last_name: Type.String(),
  photo_profil: Nullable(Type.String({ description: 'URL absolue de la photo, ou null' })),
  photo_profil_miniature: Nullable(Type.String()),
  est_verifie: Type.Boolean(),
});

// Plain `enum` keywords (not unions of literals): one clear French error per bad value.
export const StatutSchema = Type.Enum(['BROUILLON', 'EN_ATTENTE', 'VALIDE', 'REJETE', 'TERMINE', 'ANNULE']);
export const TypeAccesSchema = Type.Enum(['GRATUIT', 'PAYANT']);

/** A number or null as one JSON Schema type, so a range error is reported once, with its own message. */
const nullableNumber = (min: number, max: number, message: string) =>
  Type.Unsafe<number | null>({ type: ['number', 'null'], minimum: min, maximum: max, 'x-message': message });

export const EventSchema = Type.Object({
  id: Type.Integer(),
  titre: Type.String(),
  description: Type.String(),
  description_courte: Type.String(),
  createur: UserPublicSchema,
  categorie: EventCategorySchema,
  date_debut: DateTime,
  date_fin: DateTime,
  lieu: Type.String(),
  adresse: Type.String(),
  latitude: Nullable(Type.Number()),
  longitude: Nullable(Type.Number()),
  type_acces: TypeAccesSchema,
  prix: Type.Integer({ description: 'Prix en francs CFA (XOF), entier' }),
  capacite_max: Type.Integer(),
  max_par_personne: Nullable(
    Type.Integer({
      description:
        'Billets au plus par personne pour cet événement payant (achetés et réservés, toutes commandes confondues) ; null : pas de limite',
    }),
  ),
  statut: StatutSchema,
  image: Nullable(Type.String({ description: "URL de l'image de couverture" })),
  image_miniature: Nullable(Type.String({ description: 'La même image en petit (WebP), pour les connexions lentes' })),
  validateur: Nullable(Type.Integer()),
  date_validation: Nullable(DateTime),
  motif_rejet: Type.String(),
  date_creation: DateTime,
  date_modification: DateTime,
  nombre_vues: Type.Integer(),
  participants_count: Type.Integer(),
  places_restantes: Type.Integer(),
  is_participating: Type.Boolean(),
  en_avant: Type.Boolean({ description: "Mis en avant : le forfait en cours de l'organisateur comprend la mise en avant" }),
  distance_km: Type.Optional(Type.Number({ description: 'Distance au point `near`, en kilomètres' })),
  revision_en_attente: Type.Optional(
    Type.Union(
      [
        Type.Object({
          id: Type.Integer(),
          champs: Type.Array(Type.String(), { description: 'Les champs modifiés qui attendent la validation' }),
          date_creation: DateTime,
        }),
        Type.Null(),
      ],
      {
        description:
          "Pour le créateur et le personnel, après une modification d'un événement validé : le changement de contenu qui attend la validation de l'équipe (la version publiée reste affichée jusque-là) ; null s'il n'y en a pas.",
      },
    ),
  ),
  derniere_revision: Type.Optional(
    Type.Union(
      [
        Type.Object({
          id: Type.Integer(),
          statut: Type.Enum(['APPROUVEE', 'REJETEE']),
          motif_rejet: Type.String({ description: 'Le motif du refus (vide si publiée)' }),
          date_decision: DateTime,
        }),
        Type.Null(),
      ],
      {
        description:
          "Pour le créateur et le personnel, sur un événement validé : la dernière décision de l'équipe sur une modification (publiée ou refusée, avec le motif) ; null s'il n'y en a pas eu.",
      },
    ),
  ),
});

// --- Revisions of published events -------------------------------------------------------------------------

export const RevisionStatutSchema = Type.Enum(['EN_ATTENTE', 'APPROUVEE', 'REJETEE', 'REMPLACEE', 'RETIREE']);

export const RevisionSchema = Type.Object({
  id: Type.Integer(),
  evenement: Type.Object({ id: Type.Integer(), titre: Type.String({ description: 'Le titre publié' }), statut: StatutSchema }),
  statut: RevisionStatutSchema,
  modifications: Type.Array(
    Type.Object({
      champ: Type.String({ description: 'Le nom du champ dans l’API (`titre`, `image`…)' }),
      libelle: Type.String({ description: 'Le champ en français' }),
      avant: Type.Unknown({ description: 'La valeur publiée (URL pour l’image, {id, nom} pour la catégorie)' }),
      apres: Type.Unknown({ description: 'La valeur proposée' }),
    }),
  ),
  auteur: Type.Union([UserPublicSchema, Type.Null()]),
  moderateur: Nullable(Type.Integer()),
  motif_rejet: Type.String(),
  date_creation: DateTime,
  date_decision: Nullable(DateTime),
});

// --- Writing an event -------------------------------------------------------------------------------------

const text = (max: number, opts: { description?: string } = {}) => Type.String({ maxLength: max, ...opts });

const writableFields = {
  titre: text(200),
  description: text(20_000),
  description_courte: text(300),
  categorie: Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Identifiant de la catégorie' }),
  date_debut: Type.String({ format: 'date-time' }),
  date_fin: Type.String({ format: 'date-time' }),
  lieu: text(200),
  adresse: text(500),
  latitude: nullableNumber(-90, 90, 'La latitude doit être comprise entre -90 et 90.'),
  longitude: nullableNumber(-180, 180, 'La longitude doit être comprise entre -180 et 180.'),
  type_acces: TypeAccesSchema,
  prix: Type.Integer({
    minimum: 0,
    maximum: 99_999_999,
    description: 'Francs CFA, entier : 0 pour GRATUIT, > 0 pour PAYANT',
    'x-message': 'Le prix doit être un nombre entier de francs CFA entre 0 et 99 999 999.',
  }),
  capacite_max: Type.Integer({
    minimum: 1,
    maximum: 1_000_000,
    'x-message': 'La capacité maximale doit être comprise entre 1 et 1 000 000 places.',
  }),
  max_par_personne: Type.Unsafe<number | null>({
    type: ['integer', 'null'],
    minimum: 1,
    maximum: 1_000_000,
    description: 'Billets au plus par personne (événement payant), toutes commandes confondues ; null : pas de limite',
    'x-message': 'Le nombre de billets par personne doit être un entier d’au moins 1 (ou null : pas de limite).',
  }),
};

/** Create (POST) and replace (PUT): the manual's required fields; `statut`, `createur`, `nombre_vues` are not writable. */
export const CreateEventBody = Type.Object({
  ...writableFields,
  latitude: Type.Optional(writableFields.latitude),
  longitude: Type.Optional(writableFields.longitude),
  prix: Type.Optional(writableFields.prix),
  max_par_personne: Type.Optional(writableFields.max_par_personne),
  brouillon: Type.Optional(
    Type.Boolean({
      description:
        "true : enregistrer comme brouillon (BROUILLON), à soumettre plus tard ; sinon l'événement part en modération (EN_ATTENTE)",
    }),
  ),
});

export const UpdateEventBody = Type.Partial(Type.Object(writableFields));

export interface EventInput {
  titre?: string;
  description?: string;
  description_courte?: string;
  categorie?: number;
  date_debut?: string;
  date_fin?: string;
  lieu?: string;
  adresse?: string;
  latitude?: number | null;
  longitude?: number | null;
  type_acces?: 'GRATUIT' | 'PAYANT';
  prix?: number;
  capacite_max?: number;
  max_par_personne?: number | null;
  brouillon?: boolean;
}

export const EventCreatedResponse = Type.Object({ message: Type.String(), event: EventSchema });

// --- Reading lists ----------------------------------------------------------------------------------------

export const ORDERING_FIELDS = ['date_debut', 'date_creation', 'nombre_vues'] as const;

export const ListEventsQuery = Type.Object({
  ...PaginationQuery,
  categorie: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'Identifiant de catégorie' })),
  type_acces: Type.Optional(TypeAccesSchema),
  createur: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: "Identifiant de l'organisateur" })),
  date_debut_apres: Type.Optional(Type.String({ description: 'Début à partir de cette date (AAAA-MM-JJ ou ISO 8601), incluse' })),
  date_debut_avant: Type.Optional(
    Type.String({ description: "Début jusqu'à cette date (AAAA-MM-JJ : toute la journée, ou ISO 8601), incluse" }),
  ),
  a_venir: Type.Optional(Type.Boolean({ description: 'Par défaut true : seulement les événements pas encore terminés ; false pour tous' })),
  en_avant: Type.Optional(
    Type.Boolean({
      description: 'true : seulement les événements mis en avant (forfait avec mise en avant) ; false : seulement les autres',
    }),
  ),
  search: Type.Optional(
    Type.String({
      maxLength: 200,
      description: 'Recherche dans titre, description, lieu (sans accents ni casse, tolère les fautes de frappe)',
    }),
  ),
  ordering: Type.Optional(
    Type.String({
      maxLength: 100,
      description: `Tri : ${ORDERING_FIELDS.join(', ')} (préfixe - pour décroissant), séparés par des virgules`,
    }),
  ),
  near: Type.Optional(Type.String({ maxLength: 60, description: 'LAT,LNG : événements proches de ce point, triés par distance' })),
  radius_km: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000, description: 'Rayon autour de `near`, en km (défaut 10)' })),
  fields: Type.Optional(
    Type.String({
      maxLength: 500,
      description: 'Champs voulus, séparés par des virgules (`id,titre,date_debut,lieu,prix`) : réponses plus légères',
    }),
  ),
});

/** An event's page: optional sparse fields, as on the list. */
export const EventDetailQuery = Type.Object({
  fields: Type.Optional(Type.String({ maxLength: 500, description: 'Champs voulus, séparés par des virgules' })),
});

export type ListEventsQueryT = {
  page?: string;
  page_size?: string;
  categorie?: number;
  type_acces?: 'GRATUIT' | 'PAYANT';
  createur?: number;
  date_debut_apres?: string;
  date_debut_avant?: string;
  a_venir?: boolean;
  en_avant?: boolean;
  search?: string;
  ordering?: string;
  near?: string;
  radius_km?: number;
  fields?: string;
};

export const MyEventsQuery = Type.Object({
  ...PaginationQuery,
  statut: Type.Optional(StatutSchema),
});

export const StatusCounts = Type.Object(
  Object.fromEntries(EVENT_STATUTS.map((s) => [s, Type.Integer()])) as Record<
    (typeof EVENT_STATUTS)[number],
    ReturnType<typeof Type.Integer>
  >,
);

// --- Participation ----------------------------------------------------------------------------------------

export const ParticipationSchema = Type.Object({
  id: Type.Integer(),
  evenement: Type.Integer(),
  statut: Type.Union([Type.Literal('CONFIRME'), Type.Literal('ANNULE')]),
  date_participation: DateTime,
});

export const ParticipateResponse = Type.Object({
  message: Type.String(),
  participation: ParticipationSchema,
  participants_count: Type.Integer(),
});

export const MyParticipationSchema = Type.Object({
  id: Type.Integer(),
  statut: Type.Union([Type.Literal('CONFIRME'), Type.Literal('ANNULE')]),
  date_participation: DateTime,
  evenement: EventSchema,
});

export const ParticipantSchema = Type.Object({
  id: Type.Integer(),
  utilisateur: UserPublicSchema,
  statut: Type.Union([Type.Literal('CONFIRME'), Type.Literal('ANNULE')]),
  date_participation: DateTime,
});

// --- Moderation -------------------------------------------------------------------------------------------

export const RejectBody = Type.Object({
  motif: Type.String({ minLength: 5, maxLength: 2000, description: "La raison du rejet, montrée à l'organisateur" }),
});

const BulkIds = Type.Array(Type.Integer({ minimum: 1, maximum: 2_147_483_647 }), {
  minItems: 1,
  maxItems: 100,
  description: 'Les événements à décider (100 au plus)',
});
export const BulkApproveBody = Type.Object({ ids: BulkIds });
export const BulkRejectBody = Type.Object({ ids: BulkIds, motif: RejectBody.properties.motif });
export const BulkModerationAnswer = Type.Object({
  message: Type.String(),
  traites: Type.Array(Type.Integer(), { description: 'Les événements décidés' }),
  ignores: Type.Array(Type.Object({ id: Type.Integer(), raison: Type.String() }), {
    description: 'Les événements laissés tels quels, avec la raison',
  }),
});
