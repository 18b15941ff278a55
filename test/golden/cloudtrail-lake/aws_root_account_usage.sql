-- AWS Root Credentials (8ad1600d-e9dc-4251-b0ee-a65268f29add)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "userIdentity"."type" IS NULL THEN FALSE ELSE COALESCE((lower("userIdentity"."type") = 'root'), FALSE) END), FALSE)
  AND (NOT COALESCE((CASE WHEN "eventType" IS NULL THEN FALSE ELSE COALESCE((lower("eventType") = 'awsserviceevent'), FALSE) END), FALSE)));
