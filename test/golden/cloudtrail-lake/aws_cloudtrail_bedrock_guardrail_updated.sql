-- AWS Bedrock Guardrail Updated (1c722651-254a-4b04-a9f4-99b62a2d0a1f)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'updateguardrail'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'bedrock.amazonaws.com'), FALSE) END), FALSE));
