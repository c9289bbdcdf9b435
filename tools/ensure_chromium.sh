#!/bin/sh
# The site tests drive Debian's Chromium (Playwright cannot download browsers offline).
# Install it when missing and we may: root with apt-get. Otherwise say what to do.
set -e
for b in /usr/bin/chromium /usr/bin/chromium-browser; do
  [ -x "$b" ] && exit 0
done
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the site tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  exit 0
fi
echo "Chromium not found: install it (e.g. 'sudo apt-get install chromium') to run the site tests." >&2
exit 1
