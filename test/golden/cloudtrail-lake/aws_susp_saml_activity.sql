-- AWS Suspicious SAML Activity (f43f5d2f-3f2a-4cc8-b1af-81fde7dbaf0e)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE ((COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'sts.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'assumerolewithsaml'), FALSE) END), FALSE))
  OR (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'iam.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'updatesamlprovider'), FALSE) END), FALSE)));
