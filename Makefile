# Linli: set-up and commands. Everything here runs as root on Debian (it may apt-get install
# rabbitmq-server / postgresql); see deploy/scripts/*.sh for what each step does.
#
#   make run        virtualenv + RabbitMQ, then the whole platform (linli run)
#   make test       virtualenv + RabbitMQ + PostgreSQL, then the test suite
#                   (extra pytest arguments: make test PYTEST_ARGS="-k outbox -x")
#   make bench      virtualenv + RabbitMQ, then bench/gateway_read.py
#   make stop       stop RabbitMQ and the test PostgreSQL
#   make clean      remove var/ (SQLite files, generated secret key, ...)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# The set-up steps may all apt-get install: never run them side by side (dpkg lock).
.NOTPARALLEL:

VENV    := .venv
SCRIPTS := deploy/scripts

# Where the tests find the broker and the database (override on the command line if needed).
LINLI_AMQP_URI                ?= amqp://guest:guest@127.0.0.1:5672/
LINLI_RABBIT_MANAGEMENT_URI   ?= http://guest:guest@127.0.0.1:15672
LINLI_TEST_POSTGRES_URL       ?= postgresql+pg8000://linli:linli@127.0.0.1:55432/linli_test
PYTEST_ARGS                   ?=

.PHONY: help venv broker postgres run test bench stop clean compose-check

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

venv:
	@bash $(SCRIPTS)/ensure-venv.sh

broker:
	@bash $(SCRIPTS)/ensure-rabbitmq.sh

postgres:
	@bash $(SCRIPTS)/ensure-postgres.sh

run: venv
	LINLI_AMQP_URI='$(LINLI_AMQP_URI)' LINLI_RABBIT_MANAGEMENT_URI='$(LINLI_RABBIT_MANAGEMENT_URI)' \
	  bash $(SCRIPTS)/run-platform.sh

# The suite runs in parallel shards, then the broker-stopping tests alone
# (deploy/scripts/run-tests.sh); the worst pytest exit status is the recipe's, so a failing
# suite fails make. A shard that a -k filter leaves empty is not a failure.
test: venv broker postgres
	@LINLI_RABBIT_MANAGEMENT_URI='$(LINLI_RABBIT_MANAGEMENT_URI)' $(VENV)/bin/python $(SCRIPTS)/clean-test-vhosts.py \
	  || echo "make test: could not clean leftover test vhosts; continuing"
	@LINLI_AMQP_URI='$(LINLI_AMQP_URI)' \
	LINLI_RABBIT_MANAGEMENT_URI='$(LINLI_RABBIT_MANAGEMENT_URI)' \
	LINLI_TEST_POSTGRES_URL='$(LINLI_TEST_POSTGRES_URL)' \
	VENV='$(VENV)' bash $(SCRIPTS)/run-tests.sh $(PYTEST_ARGS)

bench: venv broker
	LINLI_AMQP_URI='$(LINLI_AMQP_URI)' LINLI_RABBIT_MANAGEMENT_URI='$(LINLI_RABBIT_MANAGEMENT_URI)' \
	  $(VENV)/bin/python bench/gateway_read.py

stop:
	@bash $(SCRIPTS)/ensure-rabbitmq.sh stop
	@bash $(SCRIPTS)/ensure-postgres.sh stop

clean:
	rm -rf var/

compose-check:
	@if command -v docker-compose >/dev/null; then \
	  docker-compose config -q && echo "docker-compose.yml: valid"; \
	elif docker compose version >/dev/null 2>&1; then \
	  docker compose config -q && echo "docker-compose.yml: valid"; \
	else \
	  echo "compose-check: neither docker-compose nor 'docker compose' found; skipped (apt-get install docker-compose)"; \
	fi
