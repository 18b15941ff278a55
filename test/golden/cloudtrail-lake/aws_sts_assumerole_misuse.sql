-- AWS STS AssumeRole Misuse (905d389b-b853-46d0-9d3d-dea0d3a3cd49)
SELECT *
FROM EVENT_DATA_STORE_ID
WHERE (COALESCE((CASE WHEN "userIdentity"."type" IS NULL THEN FALSE ELSE COALESCE((lower("userIdentity"."type") = 'assumedrole'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "userIdentity"."sessionContext"."sessionIssuer"."type" IS NULL THEN FALSE ELSE COALESCE((lower("userIdentity"."sessionContext"."sessionIssuer"."type") = 'role'), FALSE) END), FALSE));
