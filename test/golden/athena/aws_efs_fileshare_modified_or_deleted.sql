-- AWS EFS Fileshare Modified or Deleted (25cb1ba1-8a19-4a23-a198-d252664c8cef)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'elasticfilesystem.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'deletefilesystem'), FALSE) END), FALSE));
