-- AWS IAM S3Browser LoginProfile Creation (db014773-b1d3-46bd-ba26-133337c0ffee)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'iam.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'getloginprofile'), FALSE) OR COALESCE((lower("eventname") = 'createloginprofile'), FALSE)) END), FALSE)
  AND COALESCE((CASE WHEN "useragent" IS NULL THEN FALSE ELSE COALESCE((lower("useragent") LIKE '%s3 browser%' ESCAPE '\'), FALSE) END), FALSE));
