-- AWS IAM Backdoor Users Keys (0a5177f4-6ca9-44c2-aacf-d3f3d8b6e4d2)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE ((COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'iam.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'createaccesskey'), FALSE) END), FALSE))
  AND (NOT COALESCE((CASE WHEN "userIdentity"."arn" IS NULL THEN FALSE ELSE COALESCE((lower("userIdentity"."arn") LIKE '%responseelements.accesskey.username%' ESCAPE '\'), FALSE) END), FALSE)));
