#!/bin/sh
# b2bctl under valgrind memcheck, for the ctest label "valgrind": the e2e
# scripts run "$B2BCTL"; this stands in for it and runs the real binary
# ($B2BCTL_UNDER_VALGRIND). Exit 99 on a memory error or a definite leak.
exec "${VALGRIND:-valgrind}" --quiet --error-exitcode=99 --leak-check=full \
	--errors-for-leak-kinds=definite --show-leak-kinds=definite \
	"${B2BCTL_UNDER_VALGRIND:?names the b2bctl binary}" "$@"
