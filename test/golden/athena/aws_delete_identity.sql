-- SES Identity Has Been Deleted (20f754db-d025-4a8f-9d74-e0037e999a9a)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'ses.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'deleteidentity'), FALSE) END), FALSE));
