unsold_products_sql = """
SELECT p.id, p.name, p.category
FROM products AS p
WHERE NOT EXISTS (
    SELECT 1 FROM order_items AS oi WHERE oi.product_id = p.id
)
ORDER BY p.id
"""
