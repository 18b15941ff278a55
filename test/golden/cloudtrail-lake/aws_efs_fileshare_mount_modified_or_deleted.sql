-- AWS EFS Fileshare Mount Modified or Deleted (6a7ba45c-63d8-473e-9736-2eaabff79964)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'elasticfilesystem.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'deletemounttarget'), FALSE) END), FALSE));
