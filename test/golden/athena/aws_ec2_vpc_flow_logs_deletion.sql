-- AWS VPC Flow Logs Deletion (aa3a7b3d-e342-4e22-98e4-904bb016308c)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'ec2.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'deleteflowlogs'), FALSE) END), FALSE));
