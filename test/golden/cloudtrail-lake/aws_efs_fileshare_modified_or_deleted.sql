-- AWS EFS Fileshare Modified or Deleted (25cb1ba1-8a19-4a23-a198-d252664c8cef)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'elasticfilesystem.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'deletefilesystem'), FALSE) END), FALSE));
