#!/bin/sh
# Vigil's unblock for Linux/Unix agents. Copy to /var/ossec/active-response/bin/vigil-unblock.sh
# (owner root:wazuh, mode 0750) on every agent Vigil may block on.
#
# Why it exists: an active response requested through the Wazuh API always reaches its script with
# "command":"add". Vigil keeps the block ledger itself (durations grow for repeat offenders) and lifts a
# block by running this script, which hands the same message to the stock firewall-drop as a "delete".
# The message comes from wazuh-execd; the only alert data in it is the address Vigil validated.
set -eu
BIN_DIR=$(dirname "$0")
IFS= read -r line || [ -n "$line" ]
printf '%s\n' "$line" | sed 's/"command":[[:space:]]*"add"/"command":"delete"/' | "$BIN_DIR/firewall-drop"
