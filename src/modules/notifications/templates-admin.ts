/**
 * Staff editing of the templates (/api/admin/notification-templates/): one row per registry type, created with
 * the seeded French text on first use. A template is checked when saved (variables the type declares, si/fin
 * balanced, renders with sample values), so a bad one is refused with its line and never reaches a send; each
 * change is in the staff journal with before and after. `echecs_modele_7j` counts the deliveries of the last
 * 7 days that fell back to the seeded default because the saved template rendered empty or broke.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { DbOrTx, Db } from '../../db/client.js';
import { audit, changes, type RequestMeta } from '../../core/audit.js';
import { NotFoundError, ValidationError } from '../../core/errors.js';
import { allTypes, notificationType } from './registry.js';
import { checkTemplate, TemplateError } from './templates/engine.js';
import { smsSegments } from './templates/gsm.js';
import { renderNotification } from './render.js';
import { notificationDeliveries, notifications, notificationTemplates } from './tables.js';
import type { TemplateTexts } from './templates/defaults.js';

export const TEMPLATE_FIELDS = ['titre_push', 'contenu_push', 'sujet_email', 'contenu_email', 'contenu_sms'] as const;
const COLUMNS = {
  titre_push: 'titrePush',
  contenu_push: 'contenuPush',
  sujet_email: 'sujetEmail',
  contenu_email: 'contenuEmail',
  contenu_sms: 'contenuSms',
} as const;

type Row = typeof notificationTemplates.$inferSelect;

/** Creates the missing rows from the registry's seeded texts (idempotent, concurrent-safe). */
export async function ensureTemplates(db: DbOrTx): Promise<void> {
  await db
    .insert(notificationTemplates)
    .values(
      allTypes().map((d) => ({
        typeNotification: d.type,
        titrePush: d.modeles.titre_push,
        contenuPush: d.modeles.contenu_push,
        sujetEmail: d.modeles.sujet_email,
        contenuEmail: d.modeles.contenu_email,
        contenuSms: d.modeles.contenu_sms,
      })),
    )
    .onConflictDoNothing({ target: notificationTemplates.typeNotification });
}

function out(r: Row, fallbacks: number) {
  const def = notificationType(r.typeNotification);
  return {
    id: r.id,
    type_notification: r.typeNotification,
    actif: r.actif,
    titre_push: r.titrePush,
    contenu_push: r.contenuPush,
    sujet_email: r.sujetEmail,
    contenu_email: r.contenuEmail,
    contenu_sms: r.contenuSms,
    categorie: def?.categorie ?? '',
    critique: def?.critique ?? false,
    transactionnel: def?.transactionnel ?? false,
    canaux_par_defaut: [...(def?.canaux ?? [])],
    variables: Object.keys(def?.variables ?? {}),
    description: def?.description ?? '',
    echecs_modele_7j: fallbacks,
    date_modification: r.dateModification.toISOString(),
  };
}

async function fallbacksByType(db: DbOrTx): Promise<Map<string, number>> {
  const rows = await db
    .select({ type: notifications.typeNotification, n: sql<number>`count(*)::int` })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(and(eq(notificationDeliveries.modeleDeSecours, true), gt(notificationDeliveries.dateCreation, sql`now() - interval '7 days'`)))
    .groupBy(notifications.typeNotification);
  return new Map(rows.map((r) => [r.type, r.n]));
}

export async function listTemplates(db: Db) {
  await ensureTemplates(db);
  const rows = await db.select().from(notificationTemplates).orderBy(asc(notificationTemplates.id));
  const f = await fallbacksByType(db);
  return rows.filter((r) => notificationType(r.typeNotification)).map((r) => out(r, f.get(r.typeNotification) ?? 0));
}

export async function getTemplate(db: Db, id: number) {
  await ensureTemplates(db);
  const [r] = await db.select().from(notificationTemplates).where(eq(notificationTemplates.id, id));
  if (!r || !notificationType(r.typeNotification)) throw new NotFoundError('Modèle introuvable.');
  return out(r, (await fallbacksByType(db)).get(r.typeNotification) ?? 0);
}

export async function updateTemplate(
  db: Db,
  staffId: number,
  id: number,
  input: Partial<TemplateTexts> & { actif?: boolean },
  meta: RequestMeta,
) {
  await ensureTemplates(db);
  await db.transaction(async (tx) => {
    const [r] = await tx.select().from(notificationTemplates).where(eq(notificationTemplates.id, id)).for('update');
    const def = r ? notificationType(r.typeNotification) : undefined;
    if (!r || !def) throw new NotFoundError('Modèle introuvable.');
    const details = templateErrors(input, def.variables);
    if (Object.keys(details).length) throw new ValidationError(details);
    const set: Partial<Row> = {};
    for (const f of TEMPLATE_FIELDS) if (input[f] !== undefined) (set as Record<string, unknown>)[COLUMNS[f]] = input[f];
    if (input.actif !== undefined) set.actif = input.actif;
    if (!Object.keys(set).length) return;
    await tx
      .update(notificationTemplates)
      .set({ ...set, modifiePar: staffId, dateModification: new Date() })
      .where(eq(notificationTemplates.id, id));
    const before = Object.fromEntries(Object.keys(set).map((k) => [k, (r as Record<string, unknown>)[k]]));
    await audit(tx, {
      userId: staffId,
      action: 'notification_template.update',
      meta,
      cible: `notification_template:${id}`,
      staff: true,
      details: { type_notification: r.typeNotification, ...changes(before, set as Record<string, unknown>) },
    });
  });
  return getTemplate(db, id);
}

/** The line error of each field that would be refused at save time (`details` of the 400), none when all check. */
function templateErrors(texts: Partial<TemplateTexts>, variables: Record<string, string>): Record<string, string[]> {
  const details: Record<string, string[]> = {};
  for (const f of TEMPLATE_FIELDS) {
    const v = texts[f];
    if (v === undefined) continue;
    try {
      checkTemplate(v, variables);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      details[f] = [`Modèle invalide, ${err.message}.`];
    }
  }
  return details;
}

const CHANNEL_FIELDS = {
  EMAIL: ['sujet_email', 'contenu_email'],
  PUSH: ['titre_push', 'contenu_push'],
  SMS: ['contenu_sms'],
} as const;

/**
 * What a type's notification looks like on every channel with the registry's sample values: the saved template,
 * with the fields given (unsaved edits) on top. It is the sender's own rendering (render.ts), so a field that
 * renders empty shows the seeded text that would really be sent (`secours` says why). A field that would be
 * refused at save time is in `erreurs` with its line, and its channel is not drawn. Nothing is stored.
 */
export async function previewTemplate(db: Db, type: string, input: Partial<TemplateTexts>) {
  const def = notificationType(type);
  if (!def) throw new NotFoundError('Type de notification inconnu.');
  await ensureTemplates(db);
  const [r] = await db.select().from(notificationTemplates).where(eq(notificationTemplates.typeNotification, type));
  const saved: TemplateTexts = r
    ? {
        titre_push: r.titrePush,
        contenu_push: r.contenuPush,
        sujet_email: r.sujetEmail,
        contenu_email: r.contenuEmail,
        contenu_sms: r.contenuSms,
      }
    : def.modeles;
  const texts: TemplateTexts = { ...saved, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  const erreurs = templateErrors(texts, def.variables);
  const broken = (c: keyof typeof CHANNEL_FIELDS) => CHANNEL_FIELDS[c].some((f) => erreurs[f]);
  // The broken fields are rendered from the seeded text so that the other channels can still be drawn.
  const safe = { ...texts, ...Object.fromEntries(Object.keys(erreurs).map((f) => [f, def.modeles[f as keyof TemplateTexts]])) };
  const out = renderNotification(def, safe, def.variables);
  const sms = out.sms && !broken('SMS') ? { ...out.sms, ...smsSegments(out.sms.texte) } : null;
  return {
    type_notification: def.type,
    variables: def.variables,
    email: broken('EMAIL') ? null : out.email,
    push: broken('PUSH') ? null : out.push,
    sms: sms && { texte: sms.texte, segments: sms.segments, encodage: sms.encoding, caracteres: sms.units },
    secours: Object.fromEntries(Object.entries(out.secours).filter(([c]) => c !== 'INBOX' && !broken(c as keyof typeof CHANNEL_FIELDS))),
    erreurs,
  };
}

/** Staff view of deliveries (failures and fallbacks first of all): newest first, filtered. */
type DeliveryFilters = { statut?: string; canal?: string; modele_de_secours?: boolean };

function deliveryWhere(filters: DeliveryFilters) {
  return and(
    filters.statut ? eq(notificationDeliveries.statut, filters.statut as never) : undefined,
    filters.canal ? eq(notificationDeliveries.canal, filters.canal as never) : undefined,
    filters.modele_de_secours !== undefined ? eq(notificationDeliveries.modeleDeSecours, filters.modele_de_secours) : undefined,
  );
}

export async function countDeliveries(db: Db, filters: DeliveryFilters): Promise<number> {
  const [count] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(notificationDeliveries)
    .where(deliveryWhere(filters));
  return count!.n;
}

export async function listDeliveries(db: Db, filters: DeliveryFilters, limit: number, offset: number) {
  const where = deliveryWhere(filters);
  const rows = await db
    .select({ d: notificationDeliveries, type: notifications.typeNotification, userId: notifications.utilisateurId })
    .from(notificationDeliveries)
    .innerJoin(notifications, eq(notifications.id, notificationDeliveries.notificationId))
    .where(where)
    .orderBy(sql`${notificationDeliveries.id} DESC`)
    .limit(limit)
    .offset(offset);
  return rows.map(({ d, type, userId }) => ({
    id: d.id,
    notification_id: d.notificationId,
    utilisateur_id: userId,
    type_notification: type,
    canal: d.canal,
    statut: d.statut,
    tentatives: d.tentatives,
    derniere_erreur: d.derniereErreur,
    modele_de_secours: d.modeleDeSecours,
    erreur_modele: d.erreurModele,
    id_message_fournisseur: d.idMessageFournisseur,
    segments_sms: d.segmentsSms,
    envoyer_apres: d.envoyerApres.toISOString(),
    date_creation: d.dateCreation.toISOString(),
    date_envoi: d.dateEnvoi?.toISOString() ?? null,
  }));
}
