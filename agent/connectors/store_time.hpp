#pragma once
// Turns a POS timestamp into UTC. A timestamp written without its UTC offset is the store's wall
// clock, read in the store's IANA time zone: in the hour repeated when clocks go back the earlier
// instant is taken, and a time inside the hour skipped when clocks go forward moves past the gap.

#include <chrono>
#include <string_view>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"

namespace date {
class time_zone;
}

namespace regua {

Result<Seconds> parse_store_time(std::string_view text, const date::time_zone& zone);

// A wall-clock time of the store (no UTC offset written) as UTC, by the rule above.
Seconds wall_to_utc(std::chrono::local_seconds wall, const date::time_zone& zone);

}  // namespace regua
