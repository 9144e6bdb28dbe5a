/** The manual's EventSerializer: a row of the list/detail queries in the API's names and formats. */
import type { MediaStore } from '../../core/media.js';
import { toSummary } from '../users/profile.js';
import type { EventStatut } from './tables.js';

export type EventRow = {
  id: number;
  titre: string;
  description: string;
  descriptionCourte: string;
  dateDebut: Date;
  dateFin: Date;
  lieu: string;
  adresse: string;
  latitude: number | null;
  longitude: number | null;
  typeAcces: 'GRATUIT' | 'PAYANT';
  prix: number;
  capaciteMax: number;
  maxParPersonne: number | null;
  statut: EventStatut;
  image: string;
  imageMiniature: string;
  validateurId: number | null;
  dateValidation: Date | null;
  motifRejet: string;
  dateCreation: Date;
  dateModification: Date;
  nombreVues: number;
  participantsCount: number;
  createur: {
    id: number;
    username: string;
    firstName: string;
    lastName: string;
    photoProfil: string;
    photoMiniature: string;
    estVerifie: boolean;
  };
  categorie: { id: number; nom: string; slug: string; description: string; icone: string; couleur: string };
  isParticipating: boolean | string;
  distanceMeters: number | string | null;
  enAvant: boolean | string;
};

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

/** Where media URLs point: the media store and the public origin (PUBLIC_BASE_URL, else the request's). */
export interface EventSerializer {
  media: MediaStore;
  origin: string;
}

/** The EventSerializer: the row in the API's names and formats. */
export function toEventJson(row: EventRow, ser: EventSerializer, extraViews = 0) {
  const out = {
    id: row.id,
    titre: row.titre,
    description: row.description,
    description_courte: row.descriptionCourte,
    // The accounts' own short form: photo URLs absolute (or null), as everywhere else.
    createur: toSummary(row.createur, ser),
    categorie: row.categorie,
    date_debut: iso(row.dateDebut),
    date_fin: iso(row.dateFin),
    lieu: row.lieu,
    adresse: row.adresse,
    latitude: row.latitude,
    longitude: row.longitude,
    type_acces: row.typeAcces,
    prix: row.prix,
    capacite_max: row.capaciteMax,
    max_par_personne: row.maxParPersonne,
    statut: row.statut,
    image: ser.media.url(row.image, ser.origin),
    image_miniature: ser.media.url(row.imageMiniature, ser.origin),
    validateur: row.validateurId,
    date_validation: row.dateValidation ? iso(row.dateValidation) : null,
    motif_rejet: row.motifRejet,
    date_creation: iso(row.dateCreation),
    date_modification: iso(row.dateModification),
    nombre_vues: row.nombreVues + extraViews,
    participants_count: row.participantsCount,
    places_restantes: Math.max(0, row.capaciteMax - row.participantsCount),
    // PGlite returns booleans from EXISTS; node-postgres too, but be strict about 't'.
    is_participating: row.isParticipating === true || row.isParticipating === 't',
    // Its organizer's plan in force has the featured listing (mise_en_avant).
    en_avant: row.enAvant === true || row.enAvant === 't',
  };
  if (row.distanceMeters !== null && row.distanceMeters !== undefined) {
    return { ...out, distance_km: Math.round(Number(row.distanceMeters)) / 1000 };
  }
  return out;
}

export type EventJson = ReturnType<typeof toEventJson>;
