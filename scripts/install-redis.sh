#!/usr/bin/env bash
# The Redis server the rate-limit tests share between two "workers" (Debian's redis-server, installed with
# apt-get when missing; the tests start their own on a free loopback port and stop it).
# Prints the server's path on its last line.
set -euo pipefail

SERVER=/usr/bin/redis-server
if [[ ! -x "$SERVER" ]]; then
    if [[ "$(id -u)" != "0" ]]; then
        echo "redis-server is missing and installing it needs root: apt-get install redis-server" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends redis-server >&2
fi
echo "$SERVER"
