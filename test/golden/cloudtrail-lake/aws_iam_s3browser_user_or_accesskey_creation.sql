-- AWS IAM S3Browser User or AccessKey Creation (db014773-d9d9-4792-91e5-133337c0ffee)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'iam.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'createuser'), FALSE) OR COALESCE((lower("eventName") = 'createaccesskey'), FALSE)) END), FALSE)
  AND COALESCE((CASE WHEN "userAgent" IS NULL THEN FALSE ELSE COALESCE((lower("userAgent") LIKE '%s3 browser%' ESCAPE '\'), FALSE) END), FALSE));
