-- Ingress/Egress Security Group Modification (6fb77778-040f-4015-9440-572aa9b6b580)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'ec2.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'authorizesecuritygroupegress'), FALSE) OR COALESCE((lower("eventName") = 'authorizesecuritygroupingress'), FALSE) OR COALESCE((lower("eventName") = 'revokesecuritygroupegress'), FALSE) OR COALESCE((lower("eventName") = 'revokesecuritygroupingress'), FALSE)) END), FALSE));
