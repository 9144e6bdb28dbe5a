ALTER TABLE "events" ADD COLUMN "max_par_personne" integer;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "date_ouverture" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "payments_event_user_idx" ON "payments" USING btree ("evenement_id","utilisateur_id","statut");--> statement-breakpoint
CREATE INDEX "payments_event_phone_holds_idx" ON "payments" USING btree ("evenement_id","telephone") WHERE "payments"."statut" = 'EN_ATTENTE';--> statement-breakpoint
ALTER TABLE "events" ADD CONSTRAINT "events_max_par_personne_positif" CHECK ("events"."max_par_personne" IS NULL OR "events"."max_par_personne" >= 1);--> statement-breakpoint
-- sv_buyer_seats(event, buyer, now): the seats of this event one buyer holds (pending, unexpired payments) and has
-- bought (live tickets, VALIDE or UTILISE, of successful payments). A successful payment refunded or being
-- refunded has no live ticket (a late success that found no seat issued none; a cancelled ticket is ANNULE, then
-- REMBOURSE), so it does not count. The one rule for max_par_personne, used by sv_hold_seats_capped below and by
-- the late-success check of the payment service (boughtOrHeldBy), both after the (event, buyer) advisory lock.
CREATE OR REPLACE FUNCTION sv_buyer_seats(p_event integer, p_user integer, p_now timestamptz, OUT held integer, OUT bought integer)
  LANGUAGE sql STABLE
  AS $$
  SELECT (SELECT coalesce(sum(p.quantite), 0)::integer FROM payments p
           WHERE p.evenement_id = p_event AND p.utilisateur_id = p_user AND p.statut = 'EN_ATTENTE' AND p.expire_le > p_now),
         (SELECT count(*)::integer FROM payments p JOIN tickets t ON t.payment_id = p.id
           WHERE p.evenement_id = p_event AND p.utilisateur_id = p_user AND p.statut = 'REUSSI'
             AND t.statut IN ('VALIDE', 'UTILISE'))
$$;
--> statement-breakpoint
-- sv_hold_seats_capped(type, quantity, now, buyer, phone, max held per buyer, max held per phone, idempotency key) is
-- what the INSERT of a pending ticket payment evaluates as its `quantite` (instead of sv_hold_seats, which it ends
-- with). Before the ticket type's lock it takes transaction-scoped advisory locks, always in this order: one for
-- (event, buyer), then, only when there is a per-phone cap, one for (event, payer phone). Every hold of one buyer, or
-- of one phone, on one event queues on them, whatever ticket type it is for, so parallel initiations are counted
-- one after the other: this function is VOLATILE and each count below takes a fresh snapshot after the locks are
-- granted. The locks end with the statement's own (autocommit) transaction, like the ticket type's row lock.
--   SV412: this buyer already has a payment with this Idempotency-Key (a parallel request with the same key got
--          the lock first and committed): the caller answers with that payment, whatever the caps say.
--   SV431: seats bought (sv_buyer_seats) + seats held by the buyer + this order exceed the event's
--          max_par_personne. DETAIL "already,max".
--   SV429: seats held at once by the buyer on this event would exceed p_max_user. DETAIL "held,max".
--   SV430: the same for the payer phone. DETAIL "held,max".
-- A NULL cap means no cap. The seat count itself is then sv_hold_seats' (SV409 when the seats are not left).
CREATE OR REPLACE FUNCTION sv_hold_seats_capped(
  p_type_id integer, p_quantite integer, p_now timestamptz, p_user integer, p_telephone varchar,
  p_max_user integer, p_max_phone integer, p_idempotency_key varchar
) RETURNS integer
  LANGUAGE plpgsql VOLATILE
  AS $$
DECLARE
  v_event integer;
  v_max integer;
  v_held integer;
  v_bought integer;
BEGIN
  SELECT t.evenement_id INTO v_event FROM ticket_types t WHERE t.id = p_type_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'type de billet % introuvable', p_type_id USING ERRCODE = 'SV404';
  END IF;
  PERFORM pg_advisory_xact_lock(hashtextextended('sv_hold_user:' || v_event || ':' || coalesce(p_user, 0), 0));
  IF p_max_phone IS NOT NULL THEN
    PERFORM pg_advisory_xact_lock(hashtextextended('sv_hold_phone:' || v_event || ':' || p_telephone, 0));
  END IF;

  IF p_idempotency_key IS NOT NULL
     AND EXISTS (SELECT 1 FROM payments p WHERE p.utilisateur_id = p_user AND p.idempotency_key = p_idempotency_key) THEN
    RAISE EXCEPTION 'clé d''idempotence déjà utilisée par l''utilisateur %', p_user
      USING ERRCODE = 'SV412';
  END IF;

  SELECT s.held, s.bought INTO v_held, v_bought FROM sv_buyer_seats(v_event, p_user, p_now) s;
  SELECT e.max_par_personne INTO v_max FROM events e WHERE e.id = v_event;
  IF v_max IS NOT NULL AND v_bought + v_held + p_quantite > v_max THEN
    RAISE EXCEPTION 'limite de % billets par personne pour l''événement %', v_max, v_event
      USING ERRCODE = 'SV431', DETAIL = (v_bought + v_held)::text || ',' || v_max::text;
  END IF;
  IF p_max_user IS NOT NULL AND v_held + p_quantite > p_max_user THEN
    RAISE EXCEPTION 'trop de places réservées par l''utilisateur % pour l''événement %', p_user, v_event
      USING ERRCODE = 'SV429', DETAIL = v_held::text || ',' || p_max_user::text;
  END IF;

  IF p_max_phone IS NOT NULL THEN
    -- payments_event_phone_holds_idx: the pending payments of this phone on this event only.
    SELECT coalesce(sum(p.quantite), 0)::integer INTO v_held
      FROM payments p
     WHERE p.evenement_id = v_event AND p.telephone = p_telephone AND p.statut = 'EN_ATTENTE' AND p.expire_le > p_now;
    IF v_held + p_quantite > p_max_phone THEN
      RAISE EXCEPTION 'trop de places réservées pour ce numéro sur l''événement %', v_event
        USING ERRCODE = 'SV430', DETAIL = v_held::text || ',' || p_max_phone::text;
    END IF;
  END IF;
  RETURN sv_hold_seats(p_type_id, p_quantite, p_now);
END
$$;
