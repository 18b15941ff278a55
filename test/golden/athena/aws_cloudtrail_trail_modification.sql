-- AWS CloudTrail Trail Modification (2eb86d58-89aa-4018-8890-5efeaca5c79f)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'cloudtrail.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'updatetrail'), FALSE) OR COALESCE((lower("eventname") = 'puteventselectors'), FALSE) OR COALESCE((lower("eventname") = 'putinsightselectors'), FALSE)) END), FALSE));
