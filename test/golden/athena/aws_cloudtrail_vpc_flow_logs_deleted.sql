-- AWS VPC Flow Logs Deleted (e386b9b5-af12-450e-afff-761730fb8a98)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'deleteflowlogs'), FALSE) END), FALSE)
  AND (COALESCE((CASE WHEN "errorcode" IS NULL THEN FALSE ELSE COALESCE((lower("errorcode") = 'success'), FALSE) END), FALSE)
    OR COALESCE((CASE WHEN "errorcode" IS NULL THEN TRUE ELSE FALSE END), FALSE)));
