@echo off
rem Vigil's unblock for Windows agents. Copy to
rem   C:\Program Files (x86)\ossec-agent\active-response\bin\vigil-unblock.cmd
rem on every Windows agent Vigil may block on.
rem
rem An active response requested through the Wazuh API reaches its program with "command":"add". Vigil keeps
rem the block ledger itself and lifts a block by running this script, which hands the same message to the
rem stock netsh.exe as a "delete". The only alert data in the message is the address Vigil validated.
powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command ^
  "$line = [Console]::In.ReadLine(); $line = $line -replace '\"command\":\s*\"add\"', '\"command\":\"delete\"'; $line | & (Join-Path '%~dp0' 'netsh.exe')"
