-- A code matches case-insensitively, with surrounding white space ignored,
-- and is unique in that normalized form.
CREATE EXTENSION promo;

INSERT INTO promo_codes (code, max_uses) VALUES ('SUMMER25', 10);
SELECT status, code, current_uses FROM redeem_promo(' summer25 ');
SELECT status, code, current_uses FROM redeem_promo('Summer25');
-- every white space character that is trimmed: space, tab, newline, CR, VT, FF
SELECT status, current_uses FROM redeem_promo(E'\t\n\r' || chr(11) || E'\fsummer25 \t');
-- a letter before the code makes another code (E'\v' meant this before
-- PostgreSQL 18 read it as VT)
SELECT status FROM redeem_promo('vsummer25');
-- inner white space is part of the code
SELECT status FROM redeem_promo('SUMMER 25');

-- a second code equal after normalization is refused
INSERT INTO promo_codes (code) VALUES ('  summer25');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO promo_codes (code) VALUES (E'SUMMER25\n');
\echo :LAST_ERROR_SQLSTATE

-- case folding does not depend on the database's locale: ß folds like SS
INSERT INTO promo_codes (code) VALUES ('STRASSE');
SELECT status, code FROM redeem_promo('straße');
INSERT INTO promo_codes (code) VALUES ('Straße');
\echo :LAST_ERROR_SQLSTATE
SELECT promo_normalize_code(' ÉTÉ '), promo_normalize_code('ﬀ'), promo_normalize_code('Δέλτα');
INSERT INTO promo_codes (code) VALUES ('Été');
SELECT status, code FROM redeem_promo('été');
SELECT status, code FROM redeem_promo(' ÉTÉ ');

SELECT code, current_uses FROM promo_codes ORDER BY id;

DROP EXTENSION promo;
