-- AWS STS GetSessionToken Misuse (b45ab1d2-712f-4f01-a751-df3826969807)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'sts.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'getsessiontoken'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "useridentity"."type" IS NULL THEN FALSE ELSE COALESCE((lower("useridentity"."type") = 'iamuser'), FALSE) END), FALSE));
