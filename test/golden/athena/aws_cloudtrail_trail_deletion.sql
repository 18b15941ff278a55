-- AWS CloudTrail Trail Deletion (3f89bed1-d9e3-4935-beaa-82b29cddbdd8)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'cloudtrail.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'deletetrail'), FALSE) END), FALSE));
