-- AWS Console GetSigninToken Potential Abuse (f8103686-e3e8-46f3-be72-65f7fcb4aa53)
SELECT *
FROM "cloudtrail_logs"
WHERE ((COALESCE((CASE WHEN "eventsource" IS NULL THEN FALSE ELSE COALESCE((lower("eventsource") = 'signin.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventname" IS NULL THEN FALSE ELSE COALESCE((lower("eventname") = 'getsignintoken'), FALSE) END), FALSE))
  AND (NOT COALESCE((CASE WHEN "useragent" IS NULL THEN FALSE ELSE COALESCE((lower("useragent") LIKE '%jersey/${project.version}%' ESCAPE '\'), FALSE) END), FALSE)));
