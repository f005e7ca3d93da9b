#pragma once
// A real PostgreSQL for the hub's tests: Debian's server binaries (initdb + pg_ctl) into a temp
// folder, on a loopback port the test picks, trust authentication for a `regua` superuser, fsync
// off (a throwaway cluster). PostgreSQL refuses to run as root: under root the cluster belongs to
// the `postgres` system user and its programs run through runuser.
//
// One server per test process (shared_postgres()), each test in a fresh database of its own.
// It is stopped when the process ends, and a watchdog process stops it and removes its folder
// should the test process die without ending cleanly (a crash, a ctest timeout).

#include <filesystem>
#include <string>
#include <vector>

#include <sys/types.h>

namespace regua::test {

class PostgresServer {
 public:
  PostgresServer();  // initdb and start; ok() says whether it accepts connections
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] int port() const { return port_; }
  // What went wrong when !ok(): the commands' output and the server's log.
  [[nodiscard]] const std::string& failure() const { return failure_; }
  // libpq connection string for `database`.
  [[nodiscard]] std::string conninfo(const std::string& database) const;
  // Creates a new, empty database and returns its connection string ("" and failure() on error).
  std::string fresh_database();
  // Runs SQL through `conninfo` (for tests that tamper with a schema); "" or the error.
  static std::string exec(const std::string& conninfo, const std::string& sql);

 private:
  bool start();
  [[nodiscard]] std::vector<std::string> as_server_user(std::vector<std::string> args) const;

  std::filesystem::path dir_, bin_;
  bool as_postgres_ = false;
  int port_ = 0;
  bool ok_ = false;
  int databases_ = 0;
  pid_t watchdog_ = -1;
  std::string failure_;
};

// The process's server, started on first use.
PostgresServer& shared_postgres();

}  // namespace regua::test
