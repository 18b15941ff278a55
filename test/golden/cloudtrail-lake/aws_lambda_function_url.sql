-- New AWS Lambda Function URL Configuration Created (ec541962-c05a-4420-b9ea-84de072d18f4)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'lambda.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'createfunctionurlconfig'), FALSE) END), FALSE));
