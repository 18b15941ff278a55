-- AWS ElastiCache Security Group Modified or Deleted (7c797da2-9cf2-4523-ba64-33b06339f0cc)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'elasticache.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'deletecachesecuritygroup'), FALSE) OR COALESCE((lower("eventname") = 'authorizecachesecuritygroupingress'), FALSE) OR COALESCE((lower("eventname") = 'revokecachesecuritygroupingress'), FALSE) OR COALESCE((lower("eventname") = 'authorizecachesecuritygroupegress'), FALSE) OR COALESCE((lower("eventname") = 'revokecachesecuritygroupegress'), FALSE)) END), FALSE));
