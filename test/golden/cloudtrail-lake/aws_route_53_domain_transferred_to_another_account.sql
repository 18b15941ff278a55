-- AWS Route 53 Domain Transferred to Another Account (b056de1a-6e6e-4e40-a67e-97c9808cf41b)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'route53.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'transferdomaintoanotherawsaccount'), FALSE) END), FALSE));
