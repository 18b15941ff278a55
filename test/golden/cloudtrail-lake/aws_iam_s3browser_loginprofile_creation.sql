-- AWS IAM S3Browser LoginProfile Creation (db014773-b1d3-46bd-ba26-133337c0ffee)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'iam.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'getloginprofile'), FALSE) OR COALESCE((lower("eventName") = 'createloginprofile'), FALSE)) END), FALSE)
  AND COALESCE((CASE WHEN "userAgent" IS NULL THEN FALSE ELSE COALESCE((lower("userAgent") LIKE '%s3 browser%' ESCAPE '\'), FALSE) END), FALSE));
