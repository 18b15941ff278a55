-- AWS Suspicious SAML Activity (f43f5d2f-3f2a-4cc8-b1af-81fde7dbaf0e)
SELECT *
FROM "cloudtrail_logs"
WHERE ((COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'sts.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'assumerolewithsaml'), FALSE) END), FALSE))
  OR (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'iam.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'updatesamlprovider'), FALSE) END), FALSE)));
