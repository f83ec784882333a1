#!/usr/bin/env bash
# The browser the web page's tests drive: Debian's chromium, installed with apt-get when missing
# (Playwright drives it through `executable_path`; it never downloads a browser of its own).
# Prints the browser's path on its last line.
set -euo pipefail

BROWSER=/usr/bin/chromium
if [[ ! -x "$BROWSER" ]]; then
    if [[ "$(id -u)" != "0" ]]; then
        echo "chromium is missing and installing it needs root: apt-get install chromium" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core fonts-noto-color-emoji >&2
fi
echo "$BROWSER"
