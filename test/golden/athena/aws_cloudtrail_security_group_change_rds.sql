-- RDS Database Security Group Modification (14f3f1c8-02d5-43a2-a191-91ffb52d3015)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'rds.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'authorizedbsecuritygroupingress'), FALSE) OR COALESCE((lower("eventname") = 'createdbsecuritygroup'), FALSE) OR COALESCE((lower("eventname") = 'deletedbsecuritygroup'), FALSE) OR COALESCE((lower("eventname") = 'revokedbsecuritygroupingress'), FALSE)) END), FALSE));
