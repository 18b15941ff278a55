-- Potential Malicious Usage of CloudTrail System Manager (38e7f511-3f74-41d4-836e-f57dfa18eead)
SELECT *
FROM "cloudtrail_logs"
WHERE ((COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'sendcommand'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'ssm.amazonaws.com'), FALSE) END), FALSE))
  AND (COALESCE((CASE WHEN "errorcode" IS NULL THEN FALSE ELSE COALESCE((lower("errorcode") = 'success'), FALSE) END), FALSE)
    OR COALESCE((CASE WHEN "errorcode" IS NULL THEN TRUE ELSE FALSE END), FALSE)));
