#pragma once
// SIGINT and SIGTERM ask the agent to stop cleanly. They are caught from the first instant of the
// process, so that one arriving while the ledger is still opening is not lost (the default action
// would kill the process): the event loop asks stop_requested() once its own handling is in place.

namespace regua {

void catch_stop_signals_early();
bool stop_requested();

}  // namespace regua
