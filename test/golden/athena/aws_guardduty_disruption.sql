-- AWS GuardDuty Important Change (6e61ee20-ce00-4f8d-8aee-bedd8216f7e3)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'guardduty.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'createipset'), FALSE) END), FALSE));
