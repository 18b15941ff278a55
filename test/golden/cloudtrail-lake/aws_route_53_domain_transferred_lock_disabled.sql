-- AWS Route 53 Domain Transfer Lock Disabled (3940b5f1-3f46-44aa-b746-ebe615b879e0)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'route53.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'disabledomaintransferlock'), FALSE) END), FALSE));
