-- AWS STS AssumeRole Misuse (905d389b-b853-46d0-9d3d-dea0d3a3cd49)
SELECT *
FROM "cloudtrail_logs"
WHERE (COALESCE((CASE WHEN "useridentity"."type" IS NULL THEN FALSE ELSE COALESCE((lower("useridentity"."type") = 'assumedrole'), FALSE) END), FALSE)
  AND COALESCE((CASE WHEN "useridentity"."sessioncontext"."sessionissuer"."type" IS NULL THEN FALSE ELSE COALESCE((lower("useridentity"."sessioncontext"."sessionissuer"."type") = 'role'), FALSE) END), FALSE));
