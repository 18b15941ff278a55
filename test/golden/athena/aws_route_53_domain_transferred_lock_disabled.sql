-- AWS Route 53 Domain Transfer Lock Disabled (3940b5f1-3f46-44aa-b746-ebe615b879e0)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'route53.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'disabledomaintransferlock'), FALSE) END), FALSE));
