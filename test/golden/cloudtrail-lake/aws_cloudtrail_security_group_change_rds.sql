-- RDS Database Security Group Modification (14f3f1c8-02d5-43a2-a191-91ffb52d3015)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'rds.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'authorizedbsecuritygroupingress'), FALSE) OR COALESCE((lower("eventName") = 'createdbsecuritygroup'), FALSE) OR COALESCE((lower("eventName") = 'deletedbsecuritygroup'), FALSE) OR COALESCE((lower("eventName") = 'revokedbsecuritygroupingress'), FALSE)) END), FALSE));
