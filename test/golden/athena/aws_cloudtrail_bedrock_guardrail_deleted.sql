-- AWS Bedrock Guardrail Deleted (59b70e4d-dd17-44a9-b740-acf07ae3eb6a)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'deleteguardrail'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'bedrock.amazonaws.com'), FALSE) END), FALSE));
