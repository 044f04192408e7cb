#!/bin/sh
# Regenerate the build system: configure, Makefile.in and build-aux/.
exec autoreconf -fi
