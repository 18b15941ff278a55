-- AWS EnableRegion Command Monitoring (a5ffb6ea-c784-4e01-b30a-deb6e58ca2ab)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'enableregion'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'account.amazonaws.com'), FALSE) END), FALSE));
