-- AWS Console GetSigninToken Potential Abuse (f8103686-e3e8-46f3-be72-65f7fcb4aa53)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE ((COALESCE((CASE WHEN "eventSource" IS NULL THEN FALSE ELSE COALESCE((lower("eventSource") = 'signin.amazonaws.com'), FALSE) END), FALSE)
    AND COALESCE((CASE WHEN "eventName" IS NULL THEN FALSE ELSE COALESCE((lower("eventName") = 'getsignintoken'), FALSE) END), FALSE))
  AND (NOT COALESCE((CASE WHEN "userAgent" IS NULL THEN FALSE ELSE COALESCE((lower("userAgent") LIKE '%jersey/${project.version}%' ESCAPE '\'), FALSE) END), FALSE)));
