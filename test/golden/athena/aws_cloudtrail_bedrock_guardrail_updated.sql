-- AWS Bedrock Guardrail Updated (1c722651-254a-4b04-a9f4-99b62a2d0a1f)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'updateguardrail'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'bedrock.amazonaws.com'), FALSE) END), FALSE));
