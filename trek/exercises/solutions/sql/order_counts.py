order_counts_sql = """
SELECT c.id AS customer_id, count(o.id) AS orders
FROM customers AS c
LEFT JOIN orders AS o ON o.customer_id = c.id
GROUP BY c.id
"""
