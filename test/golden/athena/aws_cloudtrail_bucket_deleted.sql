-- AWS Bucket Deleted (39c9f26d-6e3b-4dbb-9c7a-4154b0281112)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'deletebucket'), FALSE) END), FALSE)
  AND (COALESCE((CASE WHEN "errorcode" IS NULL THEN FALSE ELSE COALESCE((lower("errorcode") = 'success'), FALSE) END), FALSE)
    OR COALESCE((CASE WHEN "errorcode" IS NULL THEN TRUE ELSE FALSE END), FALSE)));
