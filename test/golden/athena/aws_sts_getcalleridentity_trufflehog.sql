-- AWS STS GetCallerIdentity Enumeration Via TruffleHog (9b1b8e9b-0a5d-4af1-9d2f-4c4b6e7c2c9d)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'sts.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'getcalleridentity'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "useragent" IS NULL THEN FALSE ELSE COALESCE((lower("useragent") LIKE '%trufflehog%' ESCAPE '\'), FALSE) END), FALSE));
