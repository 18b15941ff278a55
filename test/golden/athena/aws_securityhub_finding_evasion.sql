-- AWS SecurityHub Findings Evasion (a607e1fe-74bf-4440-a3ec-b059b9103157)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'securityhub.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'batchupdatefindings'), FALSE) OR COALESCE((lower("eventname") = 'deleteinsight'), FALSE) OR COALESCE((lower("eventname") = 'updatefindings'), FALSE) OR COALESCE((lower("eventname") = 'updateinsight'), FALSE)) END), FALSE));
