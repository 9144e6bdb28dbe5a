/**
 * Staff management of the event categories (SpotVibe Administration, "Catégories"). A category that events
 * use is deactivated, never deleted: the events keep it, the public list and the creation form no longer
 * offer it. Each change is a staff journal entry with what changed.
 */
import { and, asc, eq, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { AuthUser } from '../../core/auth.js';
import { audit, changes, type RequestMeta } from '../../core/audit.js';
import { NotFoundError, PG, ValidationError, pgConstraint, pgErrorCode } from '../../core/errors.js';
import { paginate, type PageRequest } from '../../core/pagination.js';
import type { DbOrTx } from '../../db/client.js';
import { eventCategories, events } from './tables.js';
import type { EventsDeps } from './deps.js';

const CATEGORY_NOT_FOUND = 'Catégorie introuvable.';

export interface CategoryInput {
  nom?: string | undefined;
  slug?: string | undefined;
  description?: string | undefined;
  icone?: string | undefined;
  couleur?: string | undefined;
  actif?: boolean | undefined;
  ordre?: number | undefined;
}

type CategoryRow = typeof eventCategories.$inferSelect;

export function categoryView(c: CategoryRow, nombreEvenements: number) {
  return {
    id: c.id,
    nom: c.nom,
    slug: c.slug,
    description: c.description,
    icone: c.icone,
    couleur: c.couleur,
    actif: c.actif,
    ordre: c.ordre,
    nombre_evenements: nombreEvenements,
  };
}
export type CategoryView = ReturnType<typeof categoryView>;

/** "Théâtre & humour" → "theatre-humour". */
export function slugify(nom: string): string {
  return nom
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}

const eventsCount = sql<number>`(SELECT count(*)::int FROM ${events} WHERE ${events.categorieId} = ${eventCategories.id})`;

export async function listCategoriesForStaff(
  deps: Pick<EventsDeps, 'db'>,
  page: PageRequest,
  q: { search?: string | undefined; actif?: boolean | undefined },
) {
  const conds: SQL[] = [];
  const search = q.search?.trim();
  if (search) {
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(or(ilike(eventCategories.nom, like), ilike(eventCategories.slug, like), ilike(eventCategories.description, like))!);
  }
  if (q.actif !== undefined) conds.push(eq(eventCategories.actif, q.actif));
  const where = conds.length ? and(...conds) : undefined;
  return paginate(
    page,
    async () =>
      (
        await deps.db
          .select({ n: sql<number>`count(*)::int` })
          .from(eventCategories)
          .where(where)
      )[0]!.n,
    async (limit, offset) =>
      (
        await deps.db
          .select({ c: eventCategories, n: eventsCount })
          .from(eventCategories)
          .where(where)
          .orderBy(asc(eventCategories.ordre), asc(eventCategories.id))
          .limit(limit)
          .offset(offset)
      ).map((r) => categoryView(r.c, r.n)),
  );
}

export async function getCategoryForStaff(deps: Pick<EventsDeps, 'db'>, id: number): Promise<CategoryView> {
  const [r] = await deps.db.select({ c: eventCategories, n: eventsCount }).from(eventCategories).where(eq(eventCategories.id, id));
  if (!r) throw new NotFoundError(CATEGORY_NOT_FOUND);
  return categoryView(r.c, r.n);
}

function cleaned(input: CategoryInput): CategoryInput {
  const out: CategoryInput = { ...input };
  if (out.nom !== undefined) out.nom = out.nom.trim();
  if (out.slug !== undefined) out.slug = out.slug.trim().toLowerCase();
  if (out.description !== undefined) out.description = out.description.trim();
  if (out.icone !== undefined) out.icone = out.icone.trim();
  if (out.couleur !== undefined) out.couleur = out.couleur.trim().toLowerCase();
  if (out.nom !== undefined && out.nom.length === 0) throw ValidationError.field('nom', 'Le nom est obligatoire.');
  if (out.slug !== undefined && !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(out.slug)) {
    throw ValidationError.field('slug', 'Lettres minuscules sans accents, chiffres et tirets seulement (ex. « concerts-live »).');
  }
  return out;
}

/** Unique name and slug are the database's to guarantee; a duplicate becomes a message under the field. */
async function duplicateAsFieldError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (pgErrorCode(err) === PG.uniqueViolation) {
      const c = pgConstraint(err) ?? '';
      if (c.includes('slug')) throw ValidationError.field('slug', 'Une autre catégorie a déjà cet identifiant.');
      if (c.includes('nom')) throw ValidationError.field('nom', 'Une autre catégorie porte déjà ce nom.');
    }
    throw err;
  }
}

/** Categories show in every event of public reads: a committed change renews the public cache's version. */
async function thenBump<T>(deps: Pick<EventsDeps, 'publicCache'>, write: () => Promise<T>): Promise<T> {
  const out = await write();
  await deps.publicCache.bump();
  return out;
}

type CategoryDeps = Pick<EventsDeps, 'db' | 'publicCache'>;

export async function createCategory(deps: CategoryDeps, staff: AuthUser, input: CategoryInput, meta: RequestMeta) {
  const c = cleaned(input);
  if (!c.nom) throw ValidationError.field('nom', 'Le nom est obligatoire.');
  const slug = c.slug || slugify(c.nom);
  if (!slug) throw ValidationError.field('slug', 'Donnez un identifiant (lettres, chiffres, tirets).');
  return thenBump(deps, () =>
    duplicateAsFieldError(() =>
      deps.db.transaction(async (tx) => {
        const ordre =
          c.ordre ?? (await tx.select({ n: sql<number>`coalesce(max(${eventCategories.ordre}), 0)::int + 1` }).from(eventCategories))[0]!.n;
        const [row] = await tx
          .insert(eventCategories)
          .values({
            nom: c.nom!,
            slug,
            description: c.description ?? '',
            icone: c.icone ?? '',
            ...(c.couleur ? { couleur: c.couleur } : {}),
            actif: c.actif ?? true,
            ordre,
          })
          .returning();
        await audit(tx, {
          userId: staff.id,
          action: 'categorie.create',
          meta,
          cible: `categorie:${row!.id}`,
          staff: true,
          details: { nom: row!.nom, ...changes({}, categoryView(row!, 0)) },
        });
        return categoryView(row!, 0);
      }),
    ),
  );
}

async function lockCategory(tx: DbOrTx, id: number): Promise<CategoryRow> {
  const [row] = await tx.select().from(eventCategories).where(eq(eventCategories.id, id)).for('update');
  if (!row) throw new NotFoundError(CATEGORY_NOT_FOUND);
  return row;
}

async function countEventsOf(tx: DbOrTx, id: number): Promise<number> {
  return (
    await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(events)
      .where(eq(events.categorieId, id))
  )[0]!.n;
}

export async function updateCategory(deps: CategoryDeps, staff: AuthUser, id: number, input: CategoryInput, meta: RequestMeta) {
  const c = cleaned(input);
  return thenBump(deps, () =>
    duplicateAsFieldError(() =>
      deps.db.transaction(async (tx) => {
        const before = await lockCategory(tx, id);
        const patch = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) as Partial<CategoryRow>;
        const [row] = Object.keys(patch).length
          ? await tx.update(eventCategories).set(patch).where(eq(eventCategories.id, id)).returning()
          : [before];
        const diff = changes(categoryView(before, 0), categoryView(row!, 0));
        if (Object.keys(diff.apres).length) {
          await audit(tx, {
            userId: staff.id,
            action: 'categorie.update',
            meta,
            cible: `categorie:${id}`,
            staff: true,
            details: { nom: row!.nom, ...diff },
          });
        }
        return categoryView(row!, await countEventsOf(tx, id));
      }),
    ),
  );
}

/**
 * Deletes a category nobody used; one with events is deactivated instead (the answer says which). The row
 * lock is taken first: an event being created in this category holds a key-share lock on it, so the count
 * below sees it once that creation commits, and a creation that starts afterwards waits, then fails its
 * foreign-key check if the category is gone.
 */
export async function deleteCategory(
  deps: CategoryDeps,
  staff: AuthUser,
  id: number,
  meta: RequestMeta,
): Promise<{ supprimee: boolean; categorie: CategoryView }> {
  return thenBump(deps, () =>
    deps.db.transaction(async (tx) => {
      const before = await lockCategory(tx, id);
      const n = await countEventsOf(tx, id);
      if (n === 0) {
        await tx.delete(eventCategories).where(eq(eventCategories.id, id));
        await audit(tx, {
          userId: staff.id,
          action: 'categorie.delete',
          meta,
          cible: `categorie:${id}`,
          staff: true,
          details: { nom: before.nom, avant: categoryView(before, 0), apres: null },
        });
        return { supprimee: true, categorie: categoryView(before, 0) };
      }
      if (before.actif) {
        await tx.update(eventCategories).set({ actif: false }).where(eq(eventCategories.id, id));
        await audit(tx, {
          userId: staff.id,
          action: 'categorie.deactivate',
          meta,
          cible: `categorie:${id}`,
          staff: true,
          details: { nom: before.nom, nombre_evenements: n, ...changes({ actif: true }, { actif: false }) },
        });
      }
      return { supprimee: false, categorie: categoryView({ ...before, actif: false }, n) };
    }),
  );
}
