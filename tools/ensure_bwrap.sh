#!/bin/sh
# `arena-check batch` sandboxes each submission with bubblewrap, and its tests run it for real.
# Install it when missing and we may: root with apt-get. Otherwise say what to do.
set -e
command -v bwrap >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's bubblewrap for the batch-grading tests…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null
  exit 0
fi
echo "bubblewrap (bwrap) not found: install it (e.g. 'sudo apt-get install bubblewrap') to run the batch tests." >&2
exit 1
