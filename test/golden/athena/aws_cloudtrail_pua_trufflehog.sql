-- PUA - AWS TruffleHog Execution (a840e606-7c8c-4684-9bc1-eb6b6155127f)
SELECT *
FROM "cloudtrail_logs"
WHERE COALESCE((CASE WHEN "useragent" IS NULL THEN FALSE ELSE COALESCE((lower("useragent") = 'trufflehog'), FALSE) END), FALSE);
