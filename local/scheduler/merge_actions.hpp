#pragma once
// What merging two customer records does to their rule actions (called by merge_customers() before
// it moves the merged record's rows: local/identity/merge.cpp). Jobs, decisions, messages and tasks
// move to the survivor, because they concern the same person. Where the survivor already has a job
// for the same rule and trigger occurrence (both records were planned a birthday message for this
// year), the merged record's job keeps its history under a renamed occurrence and, when pending, is
// cancelled with reason `merged` (its open task too): one person gets one action per occurrence.
// The scheduler re-plans the survivor afterwards (engine.hpp, catch_up: merges).

#include <cstdint>

#include "local/core/clock.hpp"
#include "local/core/result.hpp"
#include "local/ledger/sqlite.hpp"

namespace regua {

Status prepare_merge_of_actions(sqlite::Db& db, std::int64_t survivor, std::int64_t merged, Seconds now);

}  // namespace regua
