// The [admin] table of the config file. Internal to conf/.
#pragma once

#include "conf/admin.h"
#include "conf/reader.h"

namespace ringress::conf {

// [admin]: `address` (required, numeric "ip:port") and `allow_remote` (default false).
AdminSettings read_admin(const Value& value);

}  // namespace ringress::conf
