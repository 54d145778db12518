-- BTAM Desktop team server: database roles with least privilege.
-- The same steps `btam server init` runs. As a PostgreSQL superuser, on an empty
-- database made for the team (CREATE DATABASE btam;):
--   psql -v db=btam -v owner_password=... -v app_password=... -f team-server-roles.sql
-- Then create the tables AS THE OWNER (btam server init does this for you):
--   btam init --server postgresql://btam_owner@HOST/btam ...   (first coordinator)
-- and run the last part (after the schema) below. Everyone connects as btam_app.

-- 1. The roles (in any database).
CREATE ROLE btam_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE btam_app LOGIN PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO btam_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO btam_app;

-- 2. In the team's database.
\connect :"db"
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO btam_owner;
GRANT USAGE ON SCHEMA public TO btam_app;
ALTER DEFAULT PRIVILEGES FOR ROLE btam_owner IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO btam_app;
ALTER DEFAULT PRIVILEGES FOR ROLE btam_owner IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO btam_app;

-- 3. After the owner created the tables: the app role only reads and appends the
--    audit trail and the stored form definitions.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM btam_app;
REVOKE UPDATE, DELETE, TRUNCATE ON form_snapshot FROM btam_app;
