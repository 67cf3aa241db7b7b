// The `outlier_detection` key of a [[clusters]] table. Internal to conf/.
#pragma once

#include <optional>

#include "conf/outlier.h"
#include "conf/reader.h"

namespace ringress::conf {

// `true` (every default), `false` (none) or a table of the keys in conf/outlier.h.
std::optional<OutlierDetection> read_outlier_detection(const Value& value);

}  // namespace ringress::conf
