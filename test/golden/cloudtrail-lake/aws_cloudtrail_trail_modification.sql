-- AWS CloudTrail Trail Modification (2eb86d58-89aa-4018-8890-5efeaca5c79f)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'cloudtrail.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE (COALESCE((lower("eventName") = 'updatetrail'), FALSE) OR COALESCE((lower("eventName") = 'puteventselectors'), FALSE) OR COALESCE((lower("eventName") = 'putinsightselectors'), FALSE)) END), FALSE));
