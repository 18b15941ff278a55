-- AWS ElastiCache Security Group Modified or Deleted (7c797da2-9cf2-4523-ba64-33b06339f0cc)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'elasticache.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'deletecachesecuritygroup'), FALSE) OR COALESCE((lower("eventName") = 'authorizecachesecuritygroupingress'), FALSE) OR COALESCE((lower("eventName") = 'revokecachesecuritygroupingress'), FALSE) OR COALESCE((lower("eventName") = 'authorizecachesecuritygroupegress'), FALSE) OR COALESCE((lower("eventName") = 'revokecachesecuritygroupegress'), FALSE)) END), FALSE));
