-- With promo.reveal_reasons off, every refusal reads exactly like a code
-- that does not exist: the whole row, compared as text with the answer for a
-- missing code, for every reason, on the one-slot and the hot path (the 1.0
-- function: legacy_1_0). Replays stay visible: they answer about the caller's key.
CREATE EXTENSION promo;
SELECT create_promo('INACTIVE', 5, is_active => false),
       create_promo('NOT-YET', 5, valid_from => now() + interval '1 day'),
       create_promo('EXPIRED', 5, valid_until => now() - interval '1 second'),
       create_promo('EXHAUSTED', 0),
       create_promo('LIMITED', 5, max_uses_per_customer => 1),
       create_promo('HOT-INACTIVE', 5, slots => 4, is_active => false),
       create_promo('HOT-NOT-YET', 5, slots => 4, valid_from => now() + interval '1 day'),
       create_promo('HOT-EXPIRED', 5, slots => 4, valid_until => now() - interval '1 second'),
       create_promo('HOT-EXHAUSTED', 2, slots => 4),
       create_promo('HOT-LIMITED', 5, max_uses_per_customer => 1, slots => 4) IS NOT NULL AS created;
-- use up what the refusals need, with reasons shown
SELECT status FROM redeem_promo('HOT-EXHAUSTED');
SELECT status FROM redeem_promo('HOT-EXHAUSTED');
SELECT status FROM redeem_promo('LIMITED', customer_id => 'ann', idempotency_key => 'k-ann');
SELECT status FROM redeem_promo('HOT-LIMITED', customer_id => 'ann', idempotency_key => 'k-hot-ann');

CREATE TEMPORARY TABLE asked (code text, customer_id text);
INSERT INTO asked VALUES
  ('INACTIVE', NULL), ('NOT-YET', NULL), ('EXPIRED', NULL), ('EXHAUSTED', NULL), ('LIMITED', 'ann'),
  ('HOT-INACTIVE', NULL), ('HOT-NOT-YET', NULL), ('HOT-EXPIRED', NULL), ('HOT-EXHAUSTED', NULL),
  ('HOT-LIMITED', 'ann');

-- shown: each reason is its own
SELECT a.code, r.status FROM asked a, LATERAL redeem_promo(a.code, customer_id => a.customer_id) r ORDER BY a.code;

SET promo.reveal_reasons = off;
SELECT row_to_json(r)::text AS missing_code FROM redeem_promo('NO-SUCH-CODE') r \gset
SELECT :'missing_code';
-- hidden: every row, as text, equals the missing code's
SELECT a.code, row_to_json(r)::text = :'missing_code' AS reads_like_a_missing_code
  FROM asked a, LATERAL redeem_promo(a.code, customer_id => a.customer_id) r ORDER BY a.code;
-- a replay is the caller's own answer, not hidden
SELECT status, replayed FROM redeem_promo('LIMITED', customer_id => 'ann', idempotency_key => 'k-ann');
SELECT status, replayed FROM redeem_promo('HOT-LIMITED', customer_id => 'ann', idempotency_key => 'k-hot-ann');
-- nothing was counted by the refusals
SELECT code, uses FROM promo_code_usage ORDER BY code;
RESET promo.reveal_reasons;
DROP EXTENSION promo;
