-- Ingress/Egress Security Group Modification (6fb77778-040f-4015-9440-572aa9b6b580)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'ec2.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'authorizesecuritygroupegress'), FALSE) OR COALESCE((lower("eventname") = 'authorizesecuritygroupingress'), FALSE) OR COALESCE((lower("eventname") = 'revokesecuritygroupegress'), FALSE) OR COALESCE((lower("eventname") = 'revokesecuritygroupingress'), FALSE)) END), FALSE));
