#!/usr/bin/env bash
# npm run test:clock: the Node test suite with the clock a year ahead and a year back
# (libfaketime), to prove that no test mixes a fixed date with the real clock. workerd cannot
# run under libfaketime, so it keeps the real clock (workerd-real-clock.sh): a test passes both
# ways only if each of its dates comes from one clock. Extra arguments go to vitest.
set -euo pipefail
cd "$(dirname "$0")/../.."
lib=$(find /usr/lib -name libfaketime.so.1 -print -quit 2>/dev/null || true)
if [ -z "$lib" ]; then
  echo "test:clock needs libfaketime (Debian: apt-get install -y libfaketime)" >&2
  exit 2
fi
export REAL_WORKERD_PATH
REAL_WORKERD_PATH=$(node -e "console.log(require('workerd').default ?? require('workerd'))" 2>/dev/null || true)
[ -x "$REAL_WORKERD_PATH" ] || REAL_WORKERD_PATH=$(pwd)/node_modules/@cloudflare/workerd-linux-64/bin/workerd
# A year back, Miniflare refuses the workers' compatibility date as "in the future" (it checks it
# against Node's clock: ERR_FUTURE_COMPATIBILITY_DATE) before any test runs: the files that start
# Miniflare themselves, build a site with the Cloudflare adapter or run `astro dev`/`wrangler` run ahead only.
behind_excludes=()
for file in $(grep -rlE "new Miniflare|startQueueWorker|startBenchWorker|buildFixture|launchHostSite|installBlogStarter|npm pack|spawnAstro|astro build|bin\\('(astro|wrangler)'\\)" test --include='*.test.ts'); do
  behind_excludes+=(--exclude "$file")
done
# Both ways: a test that installs the packed tarball with npm (the official blog starter) runs
# workerd's postinstall (`workerd --version`), which hangs under libfaketime: it runs on the real
# clock only (it takes its dates from the build and the dev server, not from this process).
both_excludes=()
for file in $(grep -rlE 'installBlogStarter' test --include='*.test.ts'); do
  both_excludes+=(--exclude "$file")
done
run() {
  echo "test:clock: the suite with the clock at $1"
  LD_PRELOAD="$lib" FAKETIME="$1" MINIFLARE_WORKERD_PATH="$(pwd)/test/clock/workerd-real-clock.sh" npx vitest run "${@:2}"
}
status=0
run +365d "${both_excludes[@]}" "$@" || status=1
run -365d "${both_excludes[@]}" "${behind_excludes[@]}" "$@" || status=1
exit "$status"
