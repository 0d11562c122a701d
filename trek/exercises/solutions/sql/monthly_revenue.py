monthly_revenue_sql = """
WITH monthly AS (
    SELECT date_trunc('month', o.ordered_at)::date AS month,
           sum(oi.quantity * oi.unit_price) AS revenue
    FROM orders AS o
    JOIN order_items AS oi ON oi.order_id = o.id
    WHERE o.status <> 'cancelled'
      AND o.ordered_at >= '2025-01-01' AND o.ordered_at < '2026-01-01'
    GROUP BY 1
)
SELECT month, revenue, sum(revenue) OVER (ORDER BY month) AS running_total
FROM monthly
ORDER BY month
"""
