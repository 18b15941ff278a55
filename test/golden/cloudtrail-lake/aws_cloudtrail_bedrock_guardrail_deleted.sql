-- AWS Bedrock Guardrail Deleted (59b70e4d-dd17-44a9-b740-acf07ae3eb6a)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'deleteguardrail'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'bedrock.amazonaws.com'), FALSE) END), FALSE));
