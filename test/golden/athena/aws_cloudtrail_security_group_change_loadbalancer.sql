-- LoadBalancer Security Group Modification (7a4409fc-f8ca-45f6-8006-127d779eaad9)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'elasticloadbalancing.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'applysecuritygroupstoloadbalancer'), FALSE) OR COALESCE((lower("eventname") = 'setsecuritygroups'), FALSE)) END), FALSE));
