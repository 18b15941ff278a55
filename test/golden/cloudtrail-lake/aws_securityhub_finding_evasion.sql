-- AWS SecurityHub Findings Evasion (a607e1fe-74bf-4440-a3ec-b059b9103157)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'securityhub.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'batchupdatefindings'), FALSE) OR COALESCE((lower("eventName") = 'deleteinsight'), FALSE) OR COALESCE((lower("eventName") = 'updatefindings'), FALSE) OR COALESCE((lower("eventName") = 'updateinsight'), FALSE)) END), FALSE));
