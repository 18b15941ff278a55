-- AWS EnableRegion Command Monitoring (a5ffb6ea-c784-4e01-b30a-deb6e58ca2ab)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'enableregion'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'account.amazonaws.com'), FALSE) END), FALSE));
