#!/bin/bash
# Run once by the postgres image on an empty data volume (/docker-entrypoint-initdb.d/):
# one database per service, named in LINLI_DATABASES (comma-separated), owned by POSTGRES_USER.
# (No `set -u`: the image's entrypoint sources this file when it is not executable.)
set -eo pipefail

for db in ${LINLI_DATABASES//,/ }; do
    echo "init-databases: creating database $db"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
SELECT 'CREATE DATABASE "$db" OWNER "$POSTGRES_USER"'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$db')\gexec
SQL
done
