-- AWS Glue Development Endpoint Activity (4990c2e3-f4b8-45e3-bc3c-30b14ff0ed26)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'glue.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'createdevendpoint'), FALSE) OR COALESCE((lower("eventname") = 'deletedevendpoint'), FALSE) OR COALESCE((lower("eventname") = 'updatedevendpoint'), FALSE)) END), FALSE));
