-- AWS IAM S3Browser User or AccessKey Creation (db014773-d9d9-4792-91e5-133337c0ffee)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'iam.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'createuser'), FALSE) OR COALESCE((lower("eventname") = 'createaccesskey'), FALSE)) END), FALSE)
  AND COALESCE((CASE WHEN "useragent" IS NULL THEN FALSE ELSE COALESCE((lower("useragent") LIKE '%s3 browser%' ESCAPE '\'), FALSE) END), FALSE));
