#!/bin/sh
# Starts Chromium with local and IPv4 sockets only (firejail's seccomp filter refuses AF_INET6).
# Why: before each host resolution Chromium's network stack probes IPv6 reachability by connect()ing a UDP
# socket to 2001:4860:4860::8888. No switch turns the probe off (it is cached for one second, then runs again),
# so without this a test run opens connections to a public address even though it sends no datagram.
# The test pages are all at 127.0.0.1, so IPv4 and local sockets are all the browser needs.
# --keep-fd=3,4: Playwright talks to Chromium over the pipe on file descriptors 3 and 4.
exec firejail --quiet --noprofile --keep-fd=3,4 --protocol=unix,inet,netlink "${VIGIL_CHROMIUM_BINARY:?}" "$@"
