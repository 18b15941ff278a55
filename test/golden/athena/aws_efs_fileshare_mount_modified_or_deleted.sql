-- AWS EFS Fileshare Mount Modified or Deleted (6a7ba45c-63d8-473e-9736-2eaabff79964)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'elasticfilesystem.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'deletemounttarget'), FALSE) END), FALSE));
