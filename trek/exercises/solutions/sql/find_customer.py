def find_customer(conn, email):
    """(id, name) of the customer with this email, or None."""
    # %s is a placeholder: the email travels separately from the SQL text and is never parsed
    # as SQL, whatever quotes it contains.
    return conn.execute("SELECT id, name FROM customers WHERE email = %s", (email,)).fetchone()
