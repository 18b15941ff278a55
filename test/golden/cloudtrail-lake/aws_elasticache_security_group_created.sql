-- AWS ElastiCache Security Group Created (4ae68615-866f-4304-b24b-ba048dfa5ca7)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'elasticache.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'createcachesecuritygroup'), FALSE) END), FALSE));
