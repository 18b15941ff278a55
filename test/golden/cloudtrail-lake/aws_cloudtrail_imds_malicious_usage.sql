-- Malicious Usage Of IMDS Credentials Outside Of AWS Infrastructure (352a918a-34d8-4882-8470-44830c507aa3)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "userIdentity"."arn" IS NULL THEN FALSE ELSE COALESCE(regexp_like("userIdentity"."arn", '[^\n\r\x{2028}\x{2029}]+:assumed-role/aws:[^\n\r\x{2028}\x{2029}]+'), FALSE) END), FALSE)
  AND (NOT (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'ssm.amazonaws.com'), FALSE) END), FALSE)
      OR COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'registermanagedinstance'), FALSE) END), FALSE)
      OR COALESCE((CASE WHEN "sourceIPAddress" IS NULL THEN FALSE ELSE COALESCE((lower("sourceIPAddress") = 'aws internal'), FALSE) END), FALSE))));
