-- AWS Root Credentials (8ad1600d-e9dc-4251-b0ee-a65268f29add)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "useridentity"."type" IS NULL THEN FALSE ELSE COALESCE((lower("useridentity"."type") = 'root'), FALSE) END), FALSE)
  AND (NOT COALESCE((CASE WHEN "eventtype" IS NULL THEN FALSE ELSE COALESCE((lower("eventtype") = 'awsserviceevent'), FALSE) END), FALSE)));
