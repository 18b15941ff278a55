-- Malicious Usage Of IMDS Credentials Outside Of AWS Infrastructure (352a918a-34d8-4882-8470-44830c507aa3)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "useridentity"."arn" IS NULL THEN FALSE ELSE COALESCE(regexp_like("useridentity"."arn", '[^\n\r\x{2028}\x{2029}]+:assumed-role/aws:[^\n\r\x{2028}\x{2029}]+'), FALSE) END), FALSE)
  AND (NOT (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'ssm.amazonaws.com'), FALSE) END), FALSE)
      OR COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'registermanagedinstance'), FALSE) END), FALSE)
      OR COALESCE((CASE WHEN "sourceipaddress" IS NULL THEN FALSE ELSE COALESCE((lower("sourceipaddress") = 'aws internal'), FALSE) END), FALSE))));
