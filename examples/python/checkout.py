"""A checkout's use of promo with psycopg 3: hold the code when the order is
placed, confirm it when it is paid, release it when it is abandoned; retry
the transaction on a serialization failure or deadlock; answer every refusal.

    python3 checkout.py "dbname=shop"
"""
import datetime
import sys
import time

import psycopg
from psycopg import errors

REASONS = {
    "not_found": "no such code",
    "inactive": "this code is not active",
    "not_yet_valid": "this code is not valid yet",
    "expired": "this code has expired",
    "exhausted": "this code has been used up",
    "customer_limit_reached": "you have already used this code",
    "released": "this order's use was given back; a new order needs a new key",
}
RETRIED = (errors.SerializationFailure, errors.DeadlockDetected)  # 40001, 40P01


def in_transaction(conn, work, attempts=5):
    """Runs work(cursor) in one transaction, again on 40001 or 40P01."""
    for attempt in range(attempts):
        try:
            with conn.transaction(), conn.cursor() as cur:
                return work(cur)
        except RETRIED:
            if attempt == attempts - 1:
                raise
            time.sleep(0.01 * 2 ** attempt)


def hold(conn, customer, code, order_key):
    # A timedelta is sent as an interval; None would be SQL NULL (no hold).
    def work(cur):
        cur.execute(
            "SELECT status, redeemed, redemption_id, replayed, code, hold_expires_at - now() AS left"
            "  FROM redeem_promo(%s, customer_id => %s, idempotency_key => %s, hold => %s)",
            (code, customer, order_key, datetime.timedelta(minutes=15)))
        return cur.fetchone()

    status, redeemed, redemption_id, replayed, stored_code, left = in_transaction(conn, work)
    if not redeemed:
        print(f"{customer}: {code}: refused, {status} ({REASONS[status]})")
        return None
    if replayed:
        print(f"{customer}: the same request again is replayed: the same redemption, no second use")
    else:
        minutes = round(left.total_seconds() / 60)  # an interval arrives as a timedelta
        print(f"{customer}: {stored_code} held, the hold expires in about {minutes} minutes")
    return redemption_id  # a Python int: bigint needs no special care here


def confirm(conn, customer, redemption_id):
    def work(cur):
        cur.execute("SELECT confirm_promo(%s)", (redemption_id,))
        return cur.fetchone()[0]

    print(f"{customer}: confirmed" if in_transaction(conn, work) else f"{customer}: the hold had expired")


def release(conn, customer, redemption_id):
    def work(cur):
        cur.execute("SELECT release_promo(%s)", (redemption_id,))
        return cur.fetchone()[0]

    if in_transaction(conn, work):
        print(f"{customer}: the order was abandoned: released, the use is given back")


def main(dsn):
    # prepare_threshold=None: behind PgBouncer's transaction pool (1.18) a
    # statement prepared on one server connection is missing on the next.
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=None) as conn:
        ann = hold(conn, "ann", "CHECKOUT10", "order-1001")
        confirm(conn, "ann", ann)
        hold(conn, "ann", "CHECKOUT10", "order-1001")  # a retry after a lost reply
        hold(conn, "ann", "CHECKOUT10", "order-1002")
        bob = hold(conn, "bob", "CHECKOUT10", "order-2001")
        release(conn, "bob", bob)
        hold(conn, "bob", "CHECKOUT10", "order-2001")  # the released order's key again
        uses, max_uses = conn.execute(
            "SELECT current_uses, max_uses FROM promo_codes WHERE code = 'CHECKOUT10'").fetchone()
        print(f"bob: CHECKOUT10 now counts {uses} of {max_uses} uses")
        hold(conn, "cy", "NOPE", "order-3001")
        hold(conn, "cy", "SPENT", "order-3002")
        hold(conn, "cy", "checkout10", "order-3003")


if __name__ == "__main__":
    main(sys.argv[1])
