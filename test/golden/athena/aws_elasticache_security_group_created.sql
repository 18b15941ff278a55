-- AWS ElastiCache Security Group Created (4ae68615-866f-4304-b24b-ba048dfa5ca7)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'elasticache.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'createcachesecuritygroup'), FALSE) END), FALSE));
