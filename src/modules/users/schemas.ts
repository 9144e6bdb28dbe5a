/** Request and response schemas of the accounts routes. Response schemas are the serializers: unlisted fields never leave. */
import { Type } from 'typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

/** The manual's UserProfileSerializer, plus the rest of the User model: what the owner sees of their account. */
export const UserProfile = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    email: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    telephone: Type.String(),
    photo_profil: Nullable(Type.String({ description: 'URL absolue de la photo, ou null' })),
    photo_profil_miniature: Nullable(Type.String({ description: 'La même photo en petit (WebP), pour les connexions lentes' })),
    bio: Type.String(),
    date_naissance: Nullable(Type.String({ format: 'date' })),
    est_verifie: Type.Boolean({ description: 'Téléphone vérifié par code SMS' }),
    date_verification: Nullable(DateTime),
    email_verifie: Type.Boolean(),
    notifications_email: Type.Boolean(),
    notifications_push: Type.Boolean(),
    is_staff: Type.Boolean(),
    has_usable_password: Type.Boolean({ description: 'false pour un compte créé par Google/Facebook sans mot de passe' }),
    date_creation: DateTime,
    date_modification: DateTime,
    last_login: Nullable(DateTime),
    derniere_connexion_ip: Nullable(Type.String()),
    followers_count: Type.Integer(),
    following_count: Type.Integer(),
    events_count: Type.Integer({ description: 'Tous ses événements, quel que soit leur statut' }),
  },
  { $id: 'UserProfile' },
);

/** What anyone may see of a user: no email, no telephone. */
export const UserPublic = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    photo_profil: Nullable(Type.String()),
    photo_profil_miniature: Nullable(Type.String()),
    bio: Type.String(),
    est_verifie: Type.Boolean(),
    date_creation: DateTime,
    followers_count: Type.Integer(),
    following_count: Type.Integer(),
    events_count: Type.Integer({ description: 'Événements validés (VALIDE)' }),
    is_following: Type.Boolean({ description: "L'appelant suit cet utilisateur" }),
  },
  { $id: 'UserPublic' },
);

export const UserSummary = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    photo_profil: Nullable(Type.String()),
    photo_profil_miniature: Nullable(Type.String()),
    est_verifie: Type.Boolean(),
  },
  { $id: 'UserSummary' },
);

export const TokenResponse = Type.Object({
  token: Type.String({ description: 'À envoyer ensuite : Authorization: Token <token>' }),
  user: UserProfile,
});

export const RegisterBody = Type.Object({
  username: Type.String({ maxLength: 150 }),
  email: Type.String({ maxLength: 254 }),
  password: Type.String({ maxLength: 128 }),
  password_confirm: Type.String({ maxLength: 128 }),
  first_name: Type.Optional(Type.String({ maxLength: 150 })),
  last_name: Type.Optional(Type.String({ maxLength: 150 })),
  telephone: Type.String({ maxLength: 30 }),
});

export const LoginBody = Type.Object({
  login: Type.String({ minLength: 1, maxLength: 254, description: "Adresse e-mail, nom d'utilisateur ou téléphone" }),
  password: Type.String({ minLength: 1, maxLength: 128 }),
});

export const ProfilePatch = Type.Object(
  {
    first_name: Type.Optional(Type.String({ maxLength: 150 })),
    last_name: Type.Optional(Type.String({ maxLength: 150 })),
    telephone: Type.Optional(Type.String({ maxLength: 30, description: 'Un changement annule la vérification du téléphone' })),
    bio: Type.Optional(Type.String({ maxLength: 500 })),
    date_naissance: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
    notifications_email: Type.Optional(Type.Boolean()),
    notifications_push: Type.Optional(Type.Boolean()),
  },
  { description: 'Champs modifiables ; id, username, email, est_verifie sont en lecture seule (ignorés).' },
);

export const PasswordChangeBody = Type.Object({
  old_password: Type.String({ maxLength: 128 }),
  new_password: Type.String({ maxLength: 128 }),
  new_password_confirm: Type.String({ maxLength: 128 }),
});

export const ResetRequestBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }) });

export const ResetConfirmBody = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
  new_password: Type.String({ maxLength: 128 }),
  new_password_confirm: Type.String({ maxLength: 128 }),
});

export const TokenQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });
export const TokenBody = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) });

export const PhoneCodeBody = Type.Object({
  code: Type.String({ pattern: '^[0-9]{6}$', 'x-message': 'Le code doit comporter 6 chiffres.' }),
});

export const PhoneCodeSent = Type.Object({ message: Type.String(), telephone: Type.String(), expire_le: DateTime });

export const SocialResponse = Type.Object({
  token: Type.String(),
  user: UserProfile,
  created: Type.Boolean({ description: 'true quand ce premier passage a créé le compte' }),
});

export const GoogleBody = Type.Object({
  id_token: Type.String({ minLength: 1, maxLength: 4096 }),
  telephone: Type.Optional(Type.String({ maxLength: 30, description: 'Requis à la première connexion (création du compte)' })),
  username: Type.Optional(Type.String({ maxLength: 150 })),
});

export const FacebookBody = Type.Object({
  access_token: Type.String({ minLength: 1, maxLength: 4096 }),
  telephone: Type.Optional(Type.String({ maxLength: 30, description: 'Requis à la première connexion (création du compte)' })),
  username: Type.Optional(Type.String({ maxLength: 150 })),
});

export const DeleteAccountBody = Type.Object({
  password: Type.Optional(Type.String({ maxLength: 128, description: 'Obligatoire si le compte a un mot de passe' })),
  confirmation: Type.Optional(Type.String({ description: '« SUPPRIMER », pour un compte sans mot de passe (Google/Facebook)' })),
});

/** Staff view: email and telephone are masked (enough to recognise, not to harvest). */
export const AdminUser = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    first_name: Type.String(),
    last_name: Type.String(),
    email_masque: Type.String(),
    telephone_masque: Type.String(),
    is_active: Type.Boolean(),
    is_staff: Type.Boolean(),
    is_superuser: Type.Boolean(),
    est_verifie: Type.Boolean(),
    email_verifie: Type.Boolean(),
    date_creation: DateTime,
    last_login: Nullable(DateTime),
    supprime: Type.Boolean(),
  },
  { $id: 'AdminUser' },
);

export const AdminUserQuery = Type.Object({
  search: Type.Optional(Type.String({ maxLength: 100, description: "Nom d'utilisateur, nom, prénom, e-mail ou téléphone" })),
  is_active: Type.Optional(Type.Boolean()),
  is_staff: Type.Optional(Type.Boolean()),
  page: Type.Optional(Type.String()),
  page_size: Type.Optional(Type.String()),
});

export const DeactivateBody = Type.Object({ motif: Type.Optional(Type.String({ maxLength: 500 })) });

export const StaffFlagBody = Type.Object({ is_staff: Type.Boolean({ description: 'Accès à SpotVibe Administration et à la modération' }) });

export const DataRequestBody = Type.Object({
  motif: Type.String({ minLength: 3, maxLength: 500, description: 'La demande traitée (référence, canal, date), pour le journal' }),
});

export const EraseBody = Type.Object({
  motif: DataRequestBody.properties.motif,
  confirmation: Type.String({ description: 'Saisir « SUPPRIMER »' }),
});
