-- Seat holds in one statement (hand-written: drizzle-kit cannot express functions).
--
-- sv_hold_seats(type, quantity, now) is evaluated inside the INSERT of a pending payment, as the value of its
-- `quantite`, and that INSERT runs on its own (autocommit). It locks the ticket type, then counts the seats
-- held by unexpired pending payments: this function is VOLATILE, so that count takes a new snapshot after
-- the lock is granted and sees every hold committed by the buyers it queued behind. When the seats do not
-- fit it raises SQLSTATE SV409 (DETAIL: the seats left) and the INSERT is undone; otherwise it returns the
-- quantity, the row is inserted and the statement ends, which releases the lock. The lock is thus held for
-- the server-side execution of one statement only, never across a round trip to the application.
--
-- FOR NO KEY UPDATE, not FOR UPDATE: inserting a payment or a ticket that references the type takes a
-- KEY SHARE lock on it (the foreign key check), which FOR UPDATE would conflict with.
CREATE OR REPLACE FUNCTION sv_hold_seats(p_type_id integer, p_quantite integer, p_now timestamptz) RETURNS integer
  LANGUAGE plpgsql VOLATILE
  AS $$
DECLARE
  v_left integer;
BEGIN
  SELECT t.quantite - t.vendus INTO v_left FROM ticket_types t WHERE t.id = p_type_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'type de billet % introuvable', p_type_id USING ERRCODE = 'SV404';
  END IF;
  SELECT v_left - coalesce(sum(p.quantite), 0)::integer INTO v_left
    FROM payments p
   WHERE p.type_billet_id = p_type_id AND p.statut = 'EN_ATTENTE' AND p.expire_le > p_now;
  IF v_left < p_quantite THEN
    RAISE EXCEPTION 'places insuffisantes pour le type de billet %', p_type_id
      USING ERRCODE = 'SV409', DETAIL = greatest(v_left, 0)::text;
  END IF;
  RETURN p_quantite;
END
$$;
--> statement-breakpoint
-- sv_sell_seats(type, quantity, now, payment) turns a confirmed payment's seats into sold ones: it locks the
-- ticket type, then checks with fresh snapshots that the event is still VALIDE (else SV410: the payment is
-- refunded) and that the seats are still there (they are while the payment's hold is valid; a late success
-- may find them gone: SV409 with the seats left as DETAIL), adds them to `vendus` and returns the seats left.
-- A cancellation locks the event's ticket types before it looks for paid tickets to refund, so either it
-- waits for this transaction and then sees the payment REUSSI, or this function waits for the cancellation
-- and then sees the event ANNULE: no paid ticket escapes the refunds of a cancelled event. The event row is
-- not written (a write there, for every confirmation, made the buyers' foreign-key checks on it contend).
-- Called as the last statement of the confirming transaction, so buyers wait on the type's lock for this
-- statement and the COMMIT only.
CREATE OR REPLACE FUNCTION sv_sell_seats(p_type_id integer, p_quantite integer, p_now timestamptz, p_payment_id integer) RETURNS integer
  LANGUAGE plpgsql VOLATILE
  AS $$
DECLARE
  v_event integer;
  v_left integer;
BEGIN
  SELECT t.evenement_id, t.quantite - t.vendus INTO v_event, v_left FROM ticket_types t WHERE t.id = p_type_id FOR NO KEY UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'type de billet % introuvable', p_type_id USING ERRCODE = 'SV404';
  END IF;
  PERFORM 1 FROM events e WHERE e.id = v_event AND e.statut = 'VALIDE';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'événement % plus en vente', v_event USING ERRCODE = 'SV410';
  END IF;
  SELECT v_left - coalesce(sum(p.quantite), 0)::integer INTO v_left
    FROM payments p
   WHERE p.type_billet_id = p_type_id AND p.statut = 'EN_ATTENTE' AND p.expire_le > p_now AND p.id <> p_payment_id;
  IF v_left < p_quantite THEN
    RAISE EXCEPTION 'places insuffisantes pour le type de billet %', p_type_id
      USING ERRCODE = 'SV409', DETAIL = greatest(v_left, 0)::text;
  END IF;
  UPDATE ticket_types SET vendus = vendus + p_quantite WHERE id = p_type_id;
  RETURN v_left - p_quantite;
END
$$;
