// posix_spawn attributes for the children tests start: no blocked signals, and the default
// action for the ones a test runner may ignore or catch (SIGPIPE, SIGTERM, SIGINT, SIGHUP), so
// each child reacts to signals as it would when started from a shell.
#pragma once

#include <spawn.h>

namespace ringress::test {

// Initialises `attr` (the caller destroys it with posix_spawnattr_destroy).
void init_child_spawn_attributes(posix_spawnattr_t& attr);

}  // namespace ringress::test
