// A checkout's use of promo with node-postgres: hold the code when the order
// is placed, confirm it when it is paid, release it when it is abandoned;
// retry the transaction on a serialization failure or deadlock; answer every
// refusal.
//   node checkout.js "postgresql://postgres@localhost/shop"
'use strict';
const { Client } = require('pg');

const reasons = {
  not_found: 'no such code',
  inactive: 'this code is not active',
  not_yet_valid: 'this code is not valid yet',
  expired: 'this code has expired',
  exhausted: 'this code has been used up',
  customer_limit_reached: 'you have already used this code',
  released: "this order's use was given back; a new order needs a new key",
};
const retried = new Set(['40001', '40P01']);

// Runs work() in one transaction, again on 40001 or 40P01.
async function inTransaction(client, work, attempts = 5) {
  for (let attempt = 0; ; attempt++) {
    await client.query('BEGIN');
    try {
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A failed ROLLBACK (the connection is gone) must not hide the error.
      try { await client.query('ROLLBACK'); } catch (rollbackError) { /* reported below */ }
      if (!retried.has(error.code) || attempt === attempts - 1) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt));
    }
  }
}

async function hold(client, customer, code, orderKey) {
  // Text parameters: the interval is cast in SQL, null is SQL NULL. No
  // `name:` on the query: a named statement is prepared on one server
  // connection, and PgBouncer's transaction pool may send the next call to
  // another. The minutes are computed in SQL: node-postgres returns an
  // interval as an object of its own.
  const { rows } = await inTransaction(client, () => client.query(
    `SELECT status, redeemed, redemption_id, replayed, code,
            round(extract(epoch FROM hold_expires_at - now()) / 60) AS minutes_left
       FROM redeem_promo($1, customer_id => $2, idempotency_key => $3, hold => $4::interval)`,
    [code, customer, orderKey, '15 minutes']));
  const row = rows[0];
  if (!row.redeemed) {
    console.log(`${customer}: ${code}: refused, ${row.status} (${reasons[row.status]})`);
    return null;
  }
  if (row.replayed) {
    console.log(`${customer}: the same request again is replayed: the same redemption, no second use`);
  } else {
    console.log(`${customer}: ${row.code} held, the hold expires in about ${Number(row.minutes_left)} minutes`);
  }
  // bigint arrives as a string (it may not fit a JavaScript number): keep it
  // a string, or BigInt(row.redemption_id); never Number().
  return row.redemption_id;
}

async function confirm(client, customer, redemptionId) {
  const { rows } = await inTransaction(client, () =>
    client.query('SELECT confirm_promo($1::bigint) AS confirmed', [redemptionId]));
  console.log(rows[0].confirmed ? `${customer}: confirmed` : `${customer}: the hold had expired`);
}

async function release(client, customer, redemptionId) {
  const { rows } = await inTransaction(client, () =>
    client.query('SELECT release_promo($1::bigint) AS released', [redemptionId]));
  if (rows[0].released) console.log(`${customer}: the order was abandoned: released, the use is given back`);
}

async function main(connectionString) {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    const ann = await hold(client, 'ann', 'CHECKOUT10', 'order-1001');
    await confirm(client, 'ann', ann);
    await hold(client, 'ann', 'CHECKOUT10', 'order-1001'); // a retry after a lost reply
    await hold(client, 'ann', 'CHECKOUT10', 'order-1002');
    const bob = await hold(client, 'bob', 'CHECKOUT10', 'order-2001');
    await release(client, 'bob', bob);
    await hold(client, 'bob', 'CHECKOUT10', 'order-2001'); // the released order's key again
    const { rows } = await client.query(
      "SELECT current_uses, max_uses FROM promo_codes WHERE code = 'CHECKOUT10'");
    console.log(`bob: CHECKOUT10 now counts ${rows[0].current_uses} of ${rows[0].max_uses} uses`);
    await hold(client, 'cy', 'NOPE', 'order-3001');
    await hold(client, 'cy', 'SPENT', 'order-3002');
    await hold(client, 'cy', 'checkout10', 'order-3003');
  } finally {
    await client.end();
  }
}

main(process.argv[2]).catch((error) => {
  console.error(error);
  process.exit(1);
});
