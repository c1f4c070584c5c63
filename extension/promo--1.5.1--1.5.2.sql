-- promo 1.5.1 -> 1.5.2: promo_stats, redeem_promo's answers counted in
-- shared memory per code class and status with promo_stats_reset(); and a
-- description on every object. No table changes.
\echo Use "ALTER EXTENSION promo UPDATE TO '1.5.2'" to load this file. \quit

-- promo_stats (1.5.2): redeem_promo's answers since the last reset, counted
-- in shared memory for the whole server, one row per code class and status.
-- Read by pg_monitor (as the statistics views are); reset by the DBA.
CREATE FUNCTION promo_stats_counters(OUT code_class text, OUT status text, OUT calls bigint,
                                     OUT lock_waits bigint, OUT stats_reset timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'promo_stats_counters'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

CREATE VIEW promo_stats AS
  SELECT s.code_class, s.status::@extschema@.promo_status AS status, s.calls, s.lock_waits, s.stats_reset
    FROM @extschema@.promo_stats_counters() s;

CREATE FUNCTION promo_stats_reset() RETURNS void
AS 'MODULE_PATHNAME', 'promo_stats_reset'
LANGUAGE C VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp;

REVOKE ALL ON FUNCTION promo_stats_counters() FROM PUBLIC;
REVOKE ALL ON FUNCTION promo_stats_reset() FROM PUBLIC;
REVOKE ALL ON TABLE promo_stats FROM PUBLIC;
GRANT EXECUTE ON FUNCTION promo_stats_counters() TO pg_monitor;
GRANT SELECT ON TABLE promo_stats TO pg_monitor;

-- Descriptions of every object (1.5.2), for \dx+, \d+ and \df+; the same
-- on a fresh install and after the update.
-- promo_normalize_code
COMMENT ON FUNCTION promo_normalize_code(text) IS 'The one normalization of a code: surrounding white space (space, tab, newline, carriage return, vertical tab, form feed) trimmed, then case folded upper-then-lower with the ICU root collation, whatever the database''s locale. promo_codes.code_key, its unique index and redeem_promo all match codes by it.';

-- table promo_campaigns
COMMENT ON TABLE promo_campaigns IS 'Campaigns: many codes under one budget. A use of any of its codes must pass the campaign''s own is_active, window, max_uses and max_uses_per_customer too, and counts against it (current_uses plus its slots, promo_campaign_usage).';
COMMENT ON COLUMN promo_campaigns.id IS 'The campaign''s id, what promo_codes.campaign_id names. It cannot change while codes or slot uses name it.';
COMMENT ON COLUMN promo_campaigns.name IS 'The campaign''s name, unique (compared exactly, not normalized) and not blank; the functions find a campaign by it.';
COMMENT ON COLUMN promo_campaigns.max_uses IS 'Most uses all its codes may take together; NULL = unlimited. Once reached, its codes are refused as exhausted (refused_by = campaign).';
COMMENT ON COLUMN promo_campaigns.current_uses IS 'The uses folded into the campaign''s row; its usage is this plus its slots'' uses (promo_campaign_usage). Never negative, never above max_uses (CHECK).';
COMMENT ON COLUMN promo_campaigns.max_uses_per_customer IS 'Most live (redeemed or held) uses one customer_id may hold across all its codes; NULL = no limit. Applies only to calls that pass a customer_id.';
COMMENT ON COLUMN promo_campaigns.is_active IS 'false: every code of the campaign is refused as inactive (refused_by = campaign). A code may narrow this, never widen it.';
COMMENT ON COLUMN promo_campaigns.valid_from IS 'When the campaign''s codes start being redeemable (inclusive, against the caller''s transaction start); NULL = at once. Both the code''s and the campaign''s window must allow a use.';
COMMENT ON COLUMN promo_campaigns.valid_until IS 'When the campaign''s codes stop being redeemable (exclusive: valid while now() < valid_until); NULL = never.';
COMMENT ON COLUMN promo_campaigns.slots IS 'How many escrow slots (promo_campaign_slots) count the campaign''s uses, 1 to 256, default 128: at most that many redemptions of its codes are in flight at once; 1 = one counter.';
COMMENT ON COLUMN promo_campaigns.created_at IS 'When the campaign was created.';

-- constraints and indexes of promo_campaigns
COMMENT ON CONSTRAINT promo_campaigns_pkey ON promo_campaigns IS 'One campaign per id.';
COMMENT ON CONSTRAINT promo_campaigns_name_not_blank ON promo_campaigns IS 'Refuses a name that is empty or only white space (space, tab, newline, carriage return, vertical tab, form feed).';
COMMENT ON CONSTRAINT promo_campaigns_max_uses_check ON promo_campaigns IS 'Refuses a negative max_uses (NULL = unlimited).';
COMMENT ON CONSTRAINT promo_campaigns_current_uses_check ON promo_campaigns IS 'Refuses a negative current_uses.';
COMMENT ON CONSTRAINT promo_campaigns_max_uses_per_customer_check ON promo_campaigns IS 'Refuses a negative max_uses_per_customer (NULL = no limit).';
COMMENT ON CONSTRAINT promo_campaigns_slots_range ON promo_campaigns IS 'Refuses slots outside 1 to 256.';
COMMENT ON CONSTRAINT promo_campaigns_within_max_uses ON promo_campaigns IS 'Refuses current_uses above max_uses (23514), whatever path writes the row; the guard trigger folds the slots'' uses into current_uses first, so a cap set below the usage is refused.';
COMMENT ON CONSTRAINT promo_campaigns_valid_window ON promo_campaigns IS 'Refuses a window whose valid_from is not before its valid_until when both are set.';
COMMENT ON INDEX promo_campaigns_pkey IS 'The campaigns by id.';
COMMENT ON INDEX promo_campaigns_name IS 'Unique: one campaign per name (exact text); how the functions find a campaign by name.';
COMMENT ON SEQUENCE promo_campaigns_id_seq IS 'Identity sequence of promo_campaigns.id; dumped with the table''s data.';

-- triggers of promo_campaigns and promo_campaign_slots
COMMENT ON TRIGGER promo_campaigns_guard_update ON promo_campaigns IS 'Before an UPDATE of a campaign''s id, rules or counter: waits for its codes'' redemptions in flight and folds its slots into current_uses when slots, max_uses or current_uses change; a new id is refused (23503) while codes or uses name the old one, and only in READ COMMITTED (0A000).';
COMMENT ON TRIGGER promo_campaigns_guard_delete ON promo_campaigns IS 'Before a DELETE: refuses to delete a campaign that has codes (23503), and runs only in READ COMMITTED (0A000); its slot rows go with it.';
COMMENT ON TRIGGER promo_campaigns_guard_truncate ON promo_campaigns IS 'After a TRUNCATE of promo_campaigns (READ COMMITTED only): refused while any code names a campaign (23503); the campaigns'' slot rows go with them.';
COMMENT ON TRIGGER promo_campaign_slots_guard_truncate ON promo_campaign_slots IS 'After a TRUNCATE of promo_campaign_slots (READ COMMITTED only): refused while any campaign exists (23503), whose uses the slots count.';

-- table promo_campaign_slots
COMMENT ON TABLE promo_campaign_slots IS 'A campaign''s escrow slots, as promo_code_slots are a hot code''s: each owns a share of the uses that remained when the campaign was spread and counts the uses taken through it, so redemptions of different codes do not queue on one counter. A slot has a row only once a use was taken or given back through it.';
COMMENT ON COLUMN promo_campaign_slots.campaign_id IS 'The campaign (promo_campaigns.id); no foreign key: the guard trigger removes a deleted campaign''s slots.';
COMMENT ON COLUMN promo_campaign_slots.slot IS 'The slot''s number, 0 to the campaign''s slots - 1.';
COMMENT ON COLUMN promo_campaign_slots.uses IS 'Net uses taken through this slot since the campaign was last spread; negative when more were given back through it than taken. The campaign''s usage is current_uses plus the sum.';
COMMENT ON COLUMN promo_campaign_slots.remaining IS 'The uses this slot may still give; NULL when the campaign has no cap. Never negative (CHECK).';
COMMENT ON CONSTRAINT promo_campaign_slots_pkey ON promo_campaign_slots IS 'One row per campaign and slot.';
COMMENT ON CONSTRAINT promo_campaign_slots_remaining_check ON promo_campaign_slots IS 'Refuses a negative remaining: no slot gives a use it does not have, so the campaign''s cap holds without one row lock.';
COMMENT ON INDEX promo_campaign_slots_pkey IS 'The campaign slots by campaign and slot.';

-- table promo_codes
COMMENT ON TABLE promo_codes IS 'The promo codes: one row per code, with its cap, counter, validity, customer limit, hot-mode slots and campaign. Codes are unique after promo_normalize_code, and a CHECK refuses current_uses above max_uses whatever path writes the row.';
COMMENT ON COLUMN promo_codes.id IS 'The code''s id, what the ledger, the slots and redeem_promo''s promo_id name. It cannot change while ledger or slot rows name it (23503).';
COMMENT ON COLUMN promo_codes.code IS 'The code as typed; it is matched trimmed and case-folded (code_key).';
COMMENT ON COLUMN promo_codes.max_uses IS 'Most uses the code may count; NULL = unlimited. Once reached, redemptions are refused as exhausted.';
COMMENT ON COLUMN promo_codes.current_uses IS 'The code''s counter: all its uses for a one-slot code; for a hot code the uses folded in, its slots counting the rest (promo_code_usage). Never negative, never above max_uses (CHECK).';
COMMENT ON COLUMN promo_codes.is_active IS 'false: every redemption of the code is refused as inactive.';
COMMENT ON COLUMN promo_codes.valid_from IS 'When the code starts being redeemable (inclusive, against the caller''s transaction start); NULL = at once. Before it: not_yet_valid.';
COMMENT ON COLUMN promo_codes.valid_until IS 'When the code stops being redeemable (exclusive: valid while now() < valid_until); NULL = never. From then on: expired.';
COMMENT ON COLUMN promo_codes.created_at IS 'When the code was created.';
COMMENT ON COLUMN promo_codes.max_uses_per_customer IS 'Most live (redeemed or held) uses one customer_id may hold of this code; NULL = no limit. Applies only to calls that pass a customer_id.';
COMMENT ON COLUMN promo_codes.slots IS '1 = one counter (current_uses); 2 to 64 = hot mode: the remaining uses are spread over that many rows of promo_code_slots, so concurrent redemptions of the code run in parallel.';
COMMENT ON COLUMN promo_codes.code_key IS 'promo_normalize_code(code), generated and stored; unique. What a redemption''s code is compared with.';
COMMENT ON COLUMN promo_codes.campaign_id IS 'The campaign (promo_campaigns.id) the code belongs to, or NULL. No foreign key: the guard triggers refuse a change to a missing campaign or of a code with live redemptions, and an inserted unknown id is refused at the first redemption (23503).';

-- constraints, indexes and sequence of promo_codes
COMMENT ON CONSTRAINT promo_codes_pkey ON promo_codes IS 'One code per id.';
COMMENT ON CONSTRAINT promo_codes_max_uses_check ON promo_codes IS 'Refuses a negative max_uses (NULL = unlimited).';
COMMENT ON CONSTRAINT promo_codes_current_uses_check ON promo_codes IS 'Refuses a negative current_uses.';
COMMENT ON CONSTRAINT promo_codes_max_uses_per_customer_check ON promo_codes IS 'Refuses a negative max_uses_per_customer (NULL = no limit).';
COMMENT ON CONSTRAINT promo_codes_slots_range ON promo_codes IS 'Refuses slots outside 1 to 64.';
COMMENT ON CONSTRAINT promo_codes_within_max_uses ON promo_codes IS 'Refuses current_uses above max_uses (23514): the database itself refuses overuse, whatever path writes the row. For a hot code the guard trigger folds the slots'' uses in first, so a cap set below the usage is refused.';
COMMENT ON CONSTRAINT promo_codes_valid_window ON promo_codes IS 'Refuses a window whose valid_from is not before its valid_until when both are set.';
COMMENT ON INDEX promo_codes_pkey IS 'The codes by id.';
COMMENT ON INDEX promo_codes_code_key IS 'Unique on code_key: no two codes equal after normalization (23505); the index every redemption finds its code by.';
COMMENT ON INDEX promo_codes_campaign IS 'The codes of each campaign (campaign_id not null): for the campaign guard, the reports and the generation bound.';
COMMENT ON SEQUENCE promo_codes_id_seq IS 'Identity sequence of promo_codes.id; dumped with the table''s data.';

-- triggers of promo_codes, promo_code_slots and promo_redemptions
COMMENT ON TRIGGER promo_codes_guard_update ON promo_codes IS 'Before an UPDATE of a hot code (or of any code''s id or campaign_id): waits for its hot redemptions in flight and folds its slots into current_uses when slots, max_uses or current_uses change. Refuses a new id while ledger or slot rows name it (23503), and a campaign change of a code with live redemptions (55000), to a missing campaign (23503) or outside READ COMMITTED (0A000).';
COMMENT ON TRIGGER promo_codes_guard_delete ON promo_codes IS 'Before a DELETE: refuses to delete a code that has ledger rows (23503; deactivate it instead); its slot rows go with it.';
COMMENT ON TRIGGER promo_codes_guard_truncate ON promo_codes IS 'After a TRUNCATE of promo_codes (READ COMMITTED only): refused while promo_redemptions has rows (23503); the slot rows go with the codes.';
COMMENT ON TRIGGER promo_code_slots_guard_truncate ON promo_code_slots IS 'After a TRUNCATE of promo_code_slots (READ COMMITTED only): refused while any code is hot (23503), whose uses the slots count.';
COMMENT ON TRIGGER promo_redemptions_guard_truncate ON promo_redemptions IS 'After a TRUNCATE of the ledger (READ COMMITTED only): refused while codes exist or a campaign counts uses (23503), since their counts, keys and customer limits live in it.';

-- promo_codes_guard and promo_campaigns_guard
COMMENT ON FUNCTION promo_codes_guard() IS 'Trigger function of promo_codes_guard_update, promo_codes_guard_delete and the TRUNCATE guards of promo_codes, promo_code_slots and promo_redemptions: keeps a DBA''s change from breaking a code''s count or orphaning the ledger.';
COMMENT ON FUNCTION promo_campaigns_guard() IS 'Trigger function of promo_campaigns_guard_update, promo_campaigns_guard_delete and the TRUNCATE guards of promo_campaigns and promo_campaign_slots: keeps a DBA''s change from breaking a campaign''s count or leaving codes without their campaign.';

-- table promo_redemptions
COMMENT ON TABLE promo_redemptions IS 'The ledger: one row per use a redemption took (redeemed, held or released), written by the same call that counts the use. At every commit a code''s usage equals its redeemed and held rows.';
COMMENT ON COLUMN promo_redemptions.id IS 'The redemption_id redeem_promo returns, and confirm_promo and release_promo take.';
COMMENT ON COLUMN promo_redemptions.promo_id IS 'The code (promo_codes.id) the use was taken from. No foreign key: the trigger promo_codes_guard_delete keeps a code with ledger rows from being deleted.';
COMMENT ON COLUMN promo_redemptions.customer_id IS 'The customer_id the call passed, exactly as given, or NULL; counted against max_uses_per_customer while the row is live.';
COMMENT ON COLUMN promo_redemptions.idempotency_key IS 'The idempotency_key the call passed, exactly as given, or NULL; unique per code, so a retry with the same key replays this row instead of taking another use.';
COMMENT ON COLUMN promo_redemptions.state IS 'redeemed, held (an unconfirmed hold) or released (given back; final). Live = redeemed or held; an expired hold counts until it is reclaimed.';
COMMENT ON COLUMN promo_redemptions.redeemed_at IS 'When the use was taken (the transaction start of the call that took it).';
COMMENT ON COLUMN promo_redemptions.hold_expires_at IS 'For a hold: until when it counts unconfirmed (now() plus the hold); kept after confirm_promo, as history. Required while held (CHECK).';
COMMENT ON COLUMN promo_redemptions.released_at IS 'When the row was released or its expired hold reclaimed; set exactly when state is released (CHECK).';
COMMENT ON COLUMN promo_redemptions.slot IS 'For a hot code, the slot the use was taken from; NULL for a one-slot code. A record only: a release gives the use back through whichever slot it can lock.';

-- constraints, indexes and sequence of promo_redemptions
COMMENT ON CONSTRAINT promo_redemptions_pkey ON promo_redemptions IS 'One ledger row per id.';
COMMENT ON CONSTRAINT promo_redemptions_state_check ON promo_redemptions IS 'Refuses a state other than redeemed, held or released.';
COMMENT ON CONSTRAINT promo_redemptions_held_has_expiry ON promo_redemptions IS 'Refuses a held row without hold_expires_at.';
COMMENT ON CONSTRAINT promo_redemptions_released_has_time ON promo_redemptions IS 'Refuses a released row without released_at, and a released_at on a row that is not released.';
COMMENT ON INDEX promo_redemptions_pkey IS 'The ledger rows by id.';
COMMENT ON INDEX promo_redemptions_idempotency_key IS 'Unique on (promo_id, idempotency_key) where a key is given: one redemption per key and code.';
COMMENT ON INDEX promo_redemptions_promo_customer IS 'A customer''s uses of a code (promo_id, customer_id), for customer limits; also serves the delete guard''s lookup by promo_id.';
COMMENT ON INDEX promo_redemptions_open_holds IS 'The held rows by code and expiry, to find the expired holds to reclaim.';
COMMENT ON INDEX promo_redemptions_customer IS 'A customer''s uses by customer (customer_id, promo_id), for a campaign''s limit across its codes.';
COMMENT ON SEQUENCE promo_redemptions_id_seq IS 'Identity sequence of promo_redemptions.id; dumped with the table''s data.';

-- table promo_code_slots
COMMENT ON TABLE promo_code_slots IS 'A hot code''s escrow slots: each owns a share of the uses that remained when the code was spread and counts the uses taken through it, so concurrent redemptions update different rows. A slot has a row only once a use was taken or given back through it; the code''s usage is current_uses plus these uses (promo_code_usage).';
COMMENT ON COLUMN promo_code_slots.promo_id IS 'The hot code (promo_codes.id); no foreign key: the guard trigger removes a deleted code''s slots.';
COMMENT ON COLUMN promo_code_slots.slot IS 'The slot''s number, 0 to the code''s slots - 1.';
COMMENT ON COLUMN promo_code_slots.uses IS 'Net uses taken through this slot since the code was last spread; negative when more were given back through it than taken. The code''s usage is current_uses plus the sum.';
COMMENT ON COLUMN promo_code_slots.remaining IS 'The uses this slot may still give; NULL when the code has no cap. Never negative (CHECK).';
COMMENT ON CONSTRAINT promo_code_slots_pkey ON promo_code_slots IS 'One row per code and slot.';
COMMENT ON CONSTRAINT promo_code_slots_remaining_check ON promo_code_slots IS 'Refuses a negative remaining: no slot gives a use it does not have, so a hot code''s cap holds without one row lock.';
COMMENT ON INDEX promo_code_slots_pkey IS 'The slots by code and slot.';

-- view promo_code_usage
COMMENT ON VIEW promo_code_usage IS 'Every code''s authoritative usage: current_uses plus, for a hot code, its slots'' uses. At every commit uses equals the code''s live (redeemed or held) ledger rows.';
COMMENT ON COLUMN promo_code_usage.promo_id IS 'The code''s id.';
COMMENT ON COLUMN promo_code_usage.code IS 'The code as typed.';
COMMENT ON COLUMN promo_code_usage.uses IS 'The code''s usage: current_uses plus its slots'' uses.';
COMMENT ON COLUMN promo_code_usage.max_uses IS 'The code''s cap; NULL = unlimited.';
COMMENT ON COLUMN promo_code_usage.remaining IS 'max_uses - uses; NULL when unlimited.';
COMMENT ON COLUMN promo_code_usage.slots IS 'The code''s slots: 1 = one counter, more = hot.';

-- view promo_campaign_usage
COMMENT ON VIEW promo_campaign_usage IS 'Every campaign''s authoritative usage: current_uses plus its slots'' uses. At every commit uses equals its codes'' live (redeemed or held) ledger rows.';
COMMENT ON COLUMN promo_campaign_usage.campaign_id IS 'The campaign''s id.';
COMMENT ON COLUMN promo_campaign_usage.name IS 'The campaign''s name.';
COMMENT ON COLUMN promo_campaign_usage.uses IS 'The campaign''s usage: current_uses plus its slots'' uses.';
COMMENT ON COLUMN promo_campaign_usage.max_uses IS 'The campaign''s cap on all its codes together; NULL = unlimited.';
COMMENT ON COLUMN promo_campaign_usage.remaining IS 'max_uses - uses; NULL when unlimited.';
COMMENT ON COLUMN promo_campaign_usage.slots IS 'The campaign''s slots.';

-- type promo_status
COMMENT ON TYPE promo_status IS 'What redeem_promo answered: redeemed; a refusal, first match wins: not_found, inactive, not_yet_valid, expired, customer_limit_reached, exhausted; or released, a replayed key whose redemption was given back. With promo.reveal_reasons off every refusal reads not_found.';

-- type promo_redemption
COMMENT ON TYPE promo_redemption IS 'The row redeem_promo returns: its status, the code as the call left it, and the ledger row it took or replayed.';
COMMENT ON COLUMN promo_redemption.status IS 'The answer (promo_status): redeemed, a refusal, or released for a replay of a released redemption.';
COMMENT ON COLUMN promo_redemption.redeemed IS 'true when status is redeemed: the call took a use, or replayed a live one.';
COMMENT ON COLUMN promo_redemption.promo_id IS 'The code''s id; NULL for not_found.';
COMMENT ON COLUMN promo_redemption.code IS 'The code as stored (not as passed); NULL for not_found.';
COMMENT ON COLUMN promo_redemption.current_uses IS 'The code''s usage after the call (for a hot code, current_uses plus its slots as the call saw them); NULL for not_found.';
COMMENT ON COLUMN promo_redemption.max_uses IS 'The code''s cap; NULL when unlimited or not_found.';
COMMENT ON COLUMN promo_redemption.remaining IS 'max_uses - current_uses; NULL when unlimited or not_found.';
COMMENT ON COLUMN promo_redemption.is_active IS 'The code''s is_active; NULL for not_found.';
COMMENT ON COLUMN promo_redemption.redemption_id IS 'The ledger row (promo_redemptions.id) taken or replayed; NULL on a refusal.';
COMMENT ON COLUMN promo_redemption.replayed IS 'true when the idempotency key named an earlier redemption, which is returned and nothing is taken; NULL on a refusal.';
COMMENT ON COLUMN promo_redemption.redemption_state IS 'The ledger row''s state: redeemed, held, or (on a replay) released; NULL on a refusal.';
COMMENT ON COLUMN promo_redemption.hold_expires_at IS 'For a hold, when it expires unless confirmed; otherwise NULL.';
COMMENT ON COLUMN promo_redemption.campaign_id IS 'The code''s campaign, when the answer shows the code; otherwise NULL.';
COMMENT ON COLUMN promo_redemption.refused_by IS 'On a refusal other than not_found, whose rule refused: code or campaign; otherwise NULL.';

-- redeem_promo, confirm_promo, release_promo, promo_reclaim_expired_holds
COMMENT ON FUNCTION redeem_promo(text, text, text, interval) IS 'Redeems one use of a code, optionally for a customer_id, under an idempotency_key (a retry with the same key gets that redemption back) or as a hold of up to 30 days, and returns a promo_redemption row: redeemed, or why not. Never exceeds the code''s or its campaign''s max_uses however many sessions race; bad input is an error (22004, 22023).';
COMMENT ON FUNCTION confirm_promo(bigint) IS 'Makes a live (unexpired) hold redeemed and returns true; anything else (already redeemed, released, or an expired hold, which is reclaimed instead) returns false. NULL is 22004; an unknown id, or one whose code is gone, 22023.';
COMMENT ON FUNCTION release_promo(bigint) IS 'Gives a redeemed or held use back (a cancelled order): the row becomes released and the code''s, campaign''s and customer''s usage go down by one; returns true, or false if it was released already. NULL is 22004; an unknown id, or one whose code is gone, 22023.';
COMMENT ON FUNCTION promo_reclaim_expired_holds() IS 'Releases the expired, unconfirmed holds of up to 1000 codes (in id order), giving their uses back, and returns how many holds. Redemptions reclaim lazily anyway; schedule it (e.g. every minute) to keep counts tidy.';

-- create_campaign and promo_campaign_id
COMMENT ON FUNCTION create_campaign(text, integer, integer, timestamp with time zone, timestamp with time zone, integer, boolean) IS 'Creates a campaign and returns its id, as an INSERT into promo_campaigns would (slots default 128). A NULL name is 22004, a blank one 22023, an existing one 23505.';
COMMENT ON FUNCTION promo_campaign_id(text) IS 'The id of the campaign of that name (exact match); 22023 if there is none.';

-- create_promo
COMMENT ON FUNCTION create_promo(text, integer, integer, timestamp with time zone, timestamp with time zone, integer, boolean, text) IS 'Creates a code, in the named campaign if one is given, and returns its id; the way to create codes through a router. A NULL or blank code or a missing campaign is 22023, a code that exists after normalization 23505.';

-- generate_promo_codes
COMMENT ON FUNCTION generate_promo_codes(text, integer, text, text, integer, integer, timestamp with time zone, timestamp with time zone, boolean) IS 'Makes count (1 to 10,000,000) new codes in a campaign from a pattern, each # one charset character drawn from the OS''s CSPRNG, every code new under normalization; returns how many. Refused (22023) unless the keyspace is at least 1,000,000 times the campaign''s codes afterwards; all or nothing in the caller''s transaction.';

-- table promo_code_imports
COMMENT ON TABLE promo_code_imports IS 'Staging table of import_promo_codes: COPY a shop''s codes into it, naming the columns the file has, then import them into a campaign. Scratch, never dumped; its value columns are text so that a bad value is a refusal in the import''s report, not a COPY error.';
COMMENT ON COLUMN promo_code_imports.code IS 'A code to import, as in the file; refused as redeem_promo would refuse it (null, empty, over 64 characters, a control character) or as a duplicate.';
COMMENT ON COLUMN promo_code_imports.max_uses IS 'The code''s max_uses as text: a whole number from 0 to 2147483647 (white space around allowed), default ''1''; NULL = unlimited.';
COMMENT ON COLUMN promo_code_imports.max_uses_per_customer IS 'The code''s max_uses_per_customer as text: a whole number from 0 to 2147483647; NULL = no limit.';
COMMENT ON COLUMN promo_code_imports.id IS 'The order the rows arrived in (identity), which the import keeps.';
COMMENT ON CONSTRAINT promo_code_imports_pkey ON promo_code_imports IS 'One staged row per id.';
COMMENT ON INDEX promo_code_imports_pkey IS 'The staged rows in arrival order.';
COMMENT ON SEQUENCE promo_code_imports_id_seq IS 'Identity sequence of promo_code_imports.id (the arrival order); not dumped, as the table is not.';

-- import_promo_codes
COMMENT ON FUNCTION import_promo_codes(text) IS 'Moves every staged row of promo_code_imports it sees, in arrival order, into the named campaign (deleting each from the staging table) and returns one (code, reason) row per refused one; a refusal never stops the rest. All or nothing in the caller''s transaction: on an error the staged rows stay.';

-- view promo_code_report
COMMENT ON VIEW promo_code_report IS 'One row per code: its usage, its campaign and its ledger rows by state. uses = redeemed + live_holds + expired_holds at every commit.';
COMMENT ON COLUMN promo_code_report.promo_id IS 'The code''s id.';
COMMENT ON COLUMN promo_code_report.code IS 'The code as typed.';
COMMENT ON COLUMN promo_code_report.campaign_id IS 'The code''s campaign id, or NULL.';
COMMENT ON COLUMN promo_code_report.campaign IS 'The code''s campaign name, or NULL.';
COMMENT ON COLUMN promo_code_report.uses IS 'The code''s usage: current_uses plus a hot code''s slots'' uses.';
COMMENT ON COLUMN promo_code_report.max_uses IS 'The code''s cap; NULL = unlimited.';
COMMENT ON COLUMN promo_code_report.remaining IS 'max_uses - uses; NULL when unlimited.';
COMMENT ON COLUMN promo_code_report.redeemed IS 'Ledger rows in state redeemed.';
COMMENT ON COLUMN promo_code_report.live_holds IS 'Held ledger rows not yet expired.';
COMMENT ON COLUMN promo_code_report.expired_holds IS 'Held ledger rows past their expiry, still counted until reclaimed.';
COMMENT ON COLUMN promo_code_report.released IS 'Ledger rows given back (released).';
COMMENT ON COLUMN promo_code_report.customers IS 'Distinct customer_ids with a live (redeemed or held) use of the code.';
COMMENT ON COLUMN promo_code_report.first_redeemed_at IS 'The earliest redeemed_at of the code''s live uses.';
COMMENT ON COLUMN promo_code_report.last_redeemed_at IS 'The latest redeemed_at of the code''s live uses.';
COMMENT ON COLUMN promo_code_report.max_uses_per_customer IS 'The code''s limit per customer; NULL = no limit.';
COMMENT ON COLUMN promo_code_report.is_active IS 'The code''s is_active.';
COMMENT ON COLUMN promo_code_report.valid_from IS 'The code''s valid_from (inclusive); NULL = at once.';
COMMENT ON COLUMN promo_code_report.valid_until IS 'The code''s valid_until (exclusive); NULL = never.';
COMMENT ON COLUMN promo_code_report.created_at IS 'When the code was created.';

-- view promo_campaign_report
COMMENT ON VIEW promo_campaign_report IS 'One row per campaign: its codes, its usage and its codes'' ledger rows by state. uses = redeemed + live_holds + expired_holds at every commit.';
COMMENT ON COLUMN promo_campaign_report.campaign_id IS 'The campaign''s id.';
COMMENT ON COLUMN promo_campaign_report.name IS 'The campaign''s name.';
COMMENT ON COLUMN promo_campaign_report.codes IS 'How many codes the campaign has.';
COMMENT ON COLUMN promo_campaign_report.codes_used IS 'How many of its codes have a live (redeemed or held) use.';
COMMENT ON COLUMN promo_campaign_report.uses IS 'The campaign''s usage: current_uses plus its slots'' uses.';
COMMENT ON COLUMN promo_campaign_report.max_uses IS 'The campaign''s cap on all its codes together; NULL = unlimited.';
COMMENT ON COLUMN promo_campaign_report.remaining IS 'max_uses - uses; NULL when unlimited.';
COMMENT ON COLUMN promo_campaign_report.redeemed IS 'Its codes'' ledger rows in state redeemed.';
COMMENT ON COLUMN promo_campaign_report.live_holds IS 'Its codes'' held ledger rows not yet expired.';
COMMENT ON COLUMN promo_campaign_report.expired_holds IS 'Its codes'' held ledger rows past their expiry, still counted until reclaimed.';
COMMENT ON COLUMN promo_campaign_report.released IS 'Its codes'' ledger rows given back (released).';
COMMENT ON COLUMN promo_campaign_report.customers IS 'Distinct customer_ids with a live use of any of its codes.';
COMMENT ON COLUMN promo_campaign_report.first_redeemed_at IS 'The earliest redeemed_at of its codes'' live uses.';
COMMENT ON COLUMN promo_campaign_report.last_redeemed_at IS 'The latest redeemed_at of its codes'' live uses.';
COMMENT ON COLUMN promo_campaign_report.max_uses_per_customer IS 'The campaign''s limit per customer across its codes; NULL = no limit.';
COMMENT ON COLUMN promo_campaign_report.is_active IS 'The campaign''s is_active.';
COMMENT ON COLUMN promo_campaign_report.valid_from IS 'The campaign''s valid_from (inclusive); NULL = at once.';
COMMENT ON COLUMN promo_campaign_report.valid_until IS 'The campaign''s valid_until (exclusive); NULL = never.';
COMMENT ON COLUMN promo_campaign_report.created_at IS 'When the campaign was created.';

-- view promo_redemption_report
COMMENT ON VIEW promo_redemption_report IS 'One row per ledger row, with its code and campaign: who used what, when.';
COMMENT ON COLUMN promo_redemption_report.redemption_id IS 'The ledger row''s id.';
COMMENT ON COLUMN promo_redemption_report.promo_id IS 'The code''s id.';
COMMENT ON COLUMN promo_redemption_report.code IS 'The code as typed.';
COMMENT ON COLUMN promo_redemption_report.campaign_id IS 'The code''s campaign id, or NULL.';
COMMENT ON COLUMN promo_redemption_report.campaign IS 'The code''s campaign name, or NULL.';
COMMENT ON COLUMN promo_redemption_report.customer_id IS 'The customer_id the call passed, or NULL.';
COMMENT ON COLUMN promo_redemption_report.state IS 'redeemed, held or released.';
COMMENT ON COLUMN promo_redemption_report.redeemed_at IS 'When the use was taken.';
COMMENT ON COLUMN promo_redemption_report.hold_expires_at IS 'For a hold, when it expires unless confirmed.';
COMMENT ON COLUMN promo_redemption_report.released_at IS 'When it was released or its hold reclaimed.';

-- promo_campaign_codes
COMMENT ON FUNCTION promo_campaign_codes(text) IS 'A campaign''s codes with their usage (the columns of promo_code_report) in id order, for export with COPY ... TO ... (FORMAT csv, HEADER). A NULL campaign is 22004, an unknown one 22023.';

-- view promo_stats (next version)
COMMENT ON VIEW promo_stats IS 'redeem_promo''s answers counted in shared memory since the last reset, one row per code class and status. Needs promo in shared_preload_libraries (otherwise reading it is 55000); counters are not transactional and start again at a server restart.';
COMMENT ON COLUMN promo_stats.code_class IS 'What answered: ''none'' (the code was not found), ''one_slot'' (a code with slots = 1) or ''hot'' (slots > 1).';
COMMENT ON COLUMN promo_stats.status IS 'The answer''s status; a refusal hidden by promo.reveal_reasons = off is counted by its true status.';
COMMENT ON COLUMN promo_stats.calls IS 'Calls that answered so, a rolled-back one included; calls that ended in an error are not counted.';
COMMENT ON COLUMN promo_stats.lock_waits IS 'Of those calls, the ones that waited for at least one of promo''s own locks (not row locks).';
COMMENT ON COLUMN promo_stats.stats_reset IS 'When the counters were last zeroed, by promo_stats_reset() or the server''s start.';

-- promo_stats_reset (next version)
COMMENT ON FUNCTION promo_stats_reset() IS 'Zeroes every counter of promo_stats and sets its stats_reset to now. Needs promo in shared_preload_libraries (otherwise 55000).';

-- promo_stats_counters (next version: the set-returning function behind promo_stats)
COMMENT ON FUNCTION promo_stats_counters() IS 'The counters behind the view promo_stats, read from shared memory: one row per code class and status, status as text. Needs promo in shared_preload_libraries (otherwise 55000).';
