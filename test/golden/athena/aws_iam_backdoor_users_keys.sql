-- AWS IAM Backdoor Users Keys (0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2)
SELECT *
FROM "cloudtrail_logs"
WHERE ((COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'iam.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'createaccesskey'), FALSE) END), FALSE))
  AND (NOT COALESCE((CASE WHEN "useridentity"."arn" IS NULL THEN FALSE ELSE COALESCE((lower("useridentity"."arn") LIKE '%responseelements.accesskey.username%' ESCAPE '\'), FALSE) END), FALSE)));
