#pragma once
// Turns a POS timestamp into UTC. A timestamp written without its UTC offset is the store's wall
// clock, read in the store's IANA time zone: in the hour repeated when clocks go back the earlier
// instant is taken, and a time inside the hour skipped when clocks go forward moves past the gap.

#include <string_view>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace date {
class time_zone;
}

namespace regua {

Result<Seconds> parse_store_time(std::string_view text, const date::time_zone& zone);

}  // namespace regua
