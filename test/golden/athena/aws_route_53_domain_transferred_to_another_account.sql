-- AWS Route 53 Domain Transferred to Another Account (b056de1a-6e6e-4e40-a67e-97c9808cf41b)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'route53.amazonaws.com'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'transferdomaintoanotherawsaccount'), FALSE) END), FALSE));
