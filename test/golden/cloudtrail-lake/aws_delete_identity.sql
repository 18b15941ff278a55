-- SES Identity Has Been Deleted (20f754db-d025-4a8f-9d74-e0037e999a9a)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'ses.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'deleteidentity'), FALSE) END), FALSE));
