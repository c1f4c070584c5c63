-- The codes the checkout examples redeem (each example runs on a fresh
-- database with promo installed).
SELECT create_promo('CHECKOUT10', 100, max_uses_per_customer => 1);
SELECT create_promo('SPENT', 1);
SELECT redeem_promo('SPENT');
