big_spenders_sql = """
SELECT c.id AS customer_id, c.name, sum(oi.quantity * oi.unit_price) AS total_spent
FROM customers AS c
JOIN orders AS o ON o.customer_id = c.id
JOIN order_items AS oi ON oi.order_id = o.id
WHERE o.status <> 'cancelled'
GROUP BY c.id, c.name
HAVING sum(oi.quantity * oi.unit_price) > 5000
ORDER BY total_spent DESC, customer_id
"""
