/**
 * Typo tolerance for `search`. Each term is normalized like the documents (sv_search_norm: no accents, lower
 * case, no apostrophes) and matched to the known words it resembles (pg_trgm similarity ≥ 0.5 against
 * event_search_words, through its trigram index): "zouglo" → zouglou, "yopugon" → yopougon, "festivl" →
 * festival. The list query then looks for any of those words, or the term itself, as a substring of the
 * events' search_document, which the trigram index on that column serves and rechecks cheaply.
 *
 * Why not compare the term with each document directly (`term <% document`)? Word similarity over a whole
 * description costs tens of microseconds per row and the planner cannot tell: it was 200 ms per query on
 * 10,000 events. Comparing with short words is cheap, and there are far fewer words than events.
 *
 * Expansions are cached for a minute per process: a word that appears for the first time is matched exactly
 * at once and typo-tolerantly within the minute.
 */
import { LRUCache } from 'lru-cache';
import { sql } from 'drizzle-orm';
import { selectRows, type Db } from '../../db/client.js';

export interface SearchTerm {
  /** The normalized term. */
  norm: string;
  /** LIKE patterns: the term itself first, then the similar known words. */
  patterns: string[];
}

/** Minimum pg_trgm similarity between a term and a known word for the word to count as a typo of it. */
export const WORD_SIMILARITY = 0.5;
const MAX_WORDS_PER_TERM = 8;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export class SearchTermExpander {
  private readonly cache = new LRUCache<string, SearchTerm>({ max: 5000, ttl: 60_000 });

  /** Needs the database itself (not a transaction): it opens its own, to set the threshold locally. */
  async expand(db: Db, terms: string[]): Promise<SearchTerm[]> {
    const missing = [...new Set(terms.filter((t) => !this.cache.has(t)))];
    if (missing.length) {
      const list = sql.join(
        missing.map((t) => sql`${t}`),
        sql`, `,
      );
      // `norm <% word` finds candidates through the words' trigram index (word similarity, which is never
      // below the plain similarity); the explicit similarity bound then keeps the close ones. The operator's
      // threshold is a setting, lowered for this transaction only. (pg_trgm's `%` would be the natural
      // operator, but it crashes the embedded database.)
      const rows = await db.transaction(async (tx) => {
        await tx.execute(sql.raw(`SET LOCAL pg_trgm.word_similarity_threshold = ${WORD_SIMILARITY}`));
        return selectRows<{ i: number | string; norm: string; words: string[] | null }>(
          tx,
          sql`SELECT q.i, q.norm,
                     ARRAY(SELECT w.word FROM event_search_words w
                           WHERE char_length(q.norm) >= 3 AND q.norm <% w.word AND similarity(w.word, q.norm) >= ${WORD_SIMILARITY}
                           ORDER BY similarity(w.word, q.norm) DESC, w.word
                           LIMIT ${MAX_WORDS_PER_TERM}) AS words
              FROM (SELECT x.i, sv_search_norm(x.t) AS norm
                    FROM unnest(ARRAY[${list}]::text[]) WITH ORDINALITY AS x(t, i)) q`,
        );
      });
      for (const r of rows) {
        const term = missing[Number(r.i) - 1]!;
        const exact = `%${escapeLike(r.norm)}%`;
        const similar = (r.words ?? []).filter((w) => w !== r.norm).map((w) => `%${escapeLike(w)}%`);
        this.cache.set(term, { norm: r.norm, patterns: [exact, ...similar] });
      }
    }
    // A term that normalizes to nothing (only apostrophes) matches everything: drop it.
    return terms.map((t) => this.cache.get(t)!).filter((t) => t && t.norm.length > 0);
  }
}
