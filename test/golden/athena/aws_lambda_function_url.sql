-- New AWS Lambda Function URL Configuration Created (ec541962-c05a-4420-b9ea-84de072d18f4)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'lambda.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'createfunctionurlconfig'), FALSE) END), FALSE));
