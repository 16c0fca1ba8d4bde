#!/usr/bin/env bash
# Printed by `make run` just before the server starts.
host=$1 port=$2
base="http://$host:$port"
cat <<TXT

  Pronto is starting on $base

    Dispatcher console   $base/
    API docs (OpenAPI)   $base/api/docs/
    Admin                $base/admin/
    Health               $base/readyz

  Demo logins (password for all: pronto)
    dispatcher   technician   manager   admin

  SMS are printed in this terminal instead of being sent.

TXT
