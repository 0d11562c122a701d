def withdraw(conn, wallet_id, amount):
    """Take `amount` from the wallet if its balance allows it; True if it did."""
    with conn.transaction():
        # FOR UPDATE locks the row until the transaction ends: a concurrent call waits here
        # and then reads the balance this call leaves behind.
        row = conn.execute(
            "SELECT balance FROM wallets WHERE id = %s FOR UPDATE", (wallet_id,)
        ).fetchone()
        if row is None or row[0] < amount:
            return False
        conn.execute("UPDATE wallets SET balance = balance - %s WHERE id = %s", (amount, wallet_id))
        return True


# Equally correct, in one atomic statement:
#     cur = conn.execute(
#         "UPDATE wallets SET balance = balance - %s WHERE id = %s AND balance >= %s",
#         (amount, wallet_id, amount),
#     )
#     return cur.rowcount == 1
