SELECT c.name, c.country, count(*) AS orders, sum(l.amount) AS revenue
FROM order_lines l
JOIN customers c USING (customer_id)
GROUP BY ALL
ORDER BY revenue DESC
