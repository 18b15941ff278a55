-- AWS CloudTrail Important Change (4db60cc0-36fb-42b7-9b58-a5b53019fb74)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'cloudtrail.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE (COALESCE((lower("eventname") = 'stoplogging'), FALSE) OR COALESCE((lower("eventname") = 'updatetrail'), FALSE) OR COALESCE((lower("eventname") = 'deletetrail'), FALSE)) END), FALSE));
