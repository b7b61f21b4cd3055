#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make profile's and make bench's parsers on their fixture (tests/profile/).
exec "$(dirname "$0")/profile/run"
