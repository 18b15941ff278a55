-- AWS Glue Development Endpoint Activity (4990c2e3-f4b8-45e3-bc3c-30b14ff0ed26)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'glue.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'createdevendpoint'), FALSE) OR COALESCE((lower("eventName") = 'deletedevendpoint'), FALSE) OR COALESCE((lower("eventName") = 'updatedevendpoint'), FALSE)) END), FALSE));
