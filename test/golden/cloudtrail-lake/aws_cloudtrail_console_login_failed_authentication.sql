-- AWS ConsoleLogin Failed Authentication (6393e346-1977-46ef-8987-ad414a145fad)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'consolelogin'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "errorMessage" IS NULL THEN FALSE ELSE COALESCE((lower("errorMessage") = 'failed authentication'), FALSE) END), FALSE));
