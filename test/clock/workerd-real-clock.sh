#!/usr/bin/env bash
# workerd hangs at start with libfaketime loaded (even `workerd --version`), so under
# `npm run test:clock` Miniflare starts it through this wrapper (MINIFLARE_WORKERD_PATH),
# on the real clock. Node processes keep the shifted one.
unset LD_PRELOAD FAKETIME
exec "$REAL_WORKERD_PATH" "$@"
