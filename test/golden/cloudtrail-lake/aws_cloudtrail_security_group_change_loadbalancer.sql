-- LoadBalancer Security Group Modification (7a4409fc-f8ca-45f6-8006-127d779eaad9)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'elasticloadbalancing.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'applysecuritygroupstoloadbalancer'), FALSE) OR COALESCE((lower("eventName") = 'setsecuritygroups'), FALSE)) END), FALSE));
