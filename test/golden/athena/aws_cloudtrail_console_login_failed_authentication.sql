-- AWS ConsoleLogin Failed Authentication (6393e346-1977-46ef-8987-ad414a145fad)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'consolelogin'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "errormessage" IS NULL THEN FALSE ELSE COALESCE((lower("errormessage") = 'failed authentication'), FALSE) END), FALSE));
