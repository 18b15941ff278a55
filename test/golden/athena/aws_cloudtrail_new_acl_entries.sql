-- New Network ACL Entry Added (e1f7febb-7b94-4234-b5c6-00fb8500f5dd)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'ec2.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'createnetworkaclentry'), FALSE) END), FALSE));
