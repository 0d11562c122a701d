# Equality column first, then the ORDER BY column: a customer's entries sit together in the
# B-tree, already sorted by date, so PostgreSQL reads the last ten and stops.
index_sql = "CREATE INDEX orders_customer_ordered_idx ON orders (customer_id, ordered_at)"
