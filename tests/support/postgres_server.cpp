#include "tests/support/postgres_server.hpp"

#include <memory>

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/child_process.hpp"
#include "tests/support/free_port.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua::test {
namespace {

// Debian's server binaries: the newest /usr/lib/postgresql/<major>/bin.
std::filesystem::path postgres_bin_dir() {
  std::filesystem::path best;
  int best_major = -1;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (!std::filesystem::exists(entry.path() / "bin" / "initdb")) continue;
    if (std::stoi(name) > best_major) {
      best_major = std::stoi(name);
      best = entry.path() / "bin";
    }
  }
  return best;
}

std::string quoted_for_shell(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

PostgresServer::PostgresServer() {
  bin_ = postgres_bin_dir();
  if (bin_.empty()) {
    failure_ =
        "PostgreSQL's server is not installed (/usr/lib/postgresql/*/bin/initdb): run installer/bootstrap.sh";
    return;
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "regua-pg-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    failure_ = "cannot make a temp folder for PostgreSQL";
    return;
  }
  dir_ = pattern;
  as_postgres_ = ::geteuid() == 0;
  if (as_postgres_) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      failure_ = "running as root, PostgreSQL needs the `postgres` system user (Debian's postgresql package)";
      return;
    }
  }
  const auto init =
      run_command(as_server_user({(bin_ / "initdb").string(), "-D", (dir_ / "data").string(), "-A", "trust",
                                  "-U", "regua", "--no-sync", "-E", "UTF8", "--locale=C"}));
  if (init.exit_code != 0) {
    failure_ = "initdb failed: " + init.out + init.err;
    return;
  }
  // The watchdog: when this process is gone without its destructor (a crash, a ctest timeout),
  // it stops the server and removes the folder.
  const std::string script =
      "while kill -0 " + std::to_string(::getpid()) + " 2>/dev/null; do sleep 1; done; " +
      [&] {
        std::string stop;
        for (const auto& a : as_server_user(
                 {(bin_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate", "stop"}))
          stop += quoted_for_shell(a) + " ";
        return stop;
      }() +
      ">/dev/null 2>&1; rm -rf " + quoted_for_shell(dir_.string());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  const char* argv[] = {"/bin/sh", "-c", script.c_str(), nullptr};
  if (posix_spawn(&watchdog_, "/bin/sh", nullptr, &attr, const_cast<char* const*>(argv), environ) != 0)
    watchdog_ = -1;
  posix_spawnattr_destroy(&attr);
  for (int attempt = 0; attempt < 3 && !ok_; ++attempt)
    ok_ = start();
}

bool PostgresServer::start() {
  port_ = free_loopback_port();
  const auto r = run_command(as_server_user(
      {(bin_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-w", "-t", "120", "-l",
       (dir_ / "postgres.log").string(), "-o",
       "-p " + std::to_string(port_) + " -k " + dir_.string() +
           " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200",
       "start"}));
  if (r.exit_code == 0) return true;
  failure_ = "pg_ctl start failed: " + r.out + r.err + "\n" + read_file(dir_ / "postgres.log");
  return false;
}

PostgresServer::~PostgresServer() {
  if (!dir_.empty() && std::filesystem::exists(dir_ / "data" / "postmaster.pid")) {
    (void)run_command(as_server_user(
        {(bin_ / "pg_ctl").string(), "-D", (dir_ / "data").string(), "-m", "immediate", "stop"}));
  }
  if (watchdog_ > 0) {
    ::kill(watchdog_, SIGKILL);
    int raw = 0;
    ::waitpid(watchdog_, &raw, 0);
  }
  if (!dir_.empty() && std::getenv("REGUA_KEEP_TEST_FILES") == nullptr) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::vector<std::string> PostgresServer::as_server_user(std::vector<std::string> args) const {
  if (as_postgres_) args.insert(args.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  return args;
}

std::string PostgresServer::conninfo(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=regua dbname=" + database +
         " connect_timeout=30";
}

std::string PostgresServer::exec(const std::string& conninfo, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK) return PQerrorMessage(conn.get());
  std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(conn.get(), sql.c_str()), &PQclear);
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) return PQresultErrorMessage(result.get());
  return "";
}

std::string PostgresServer::fresh_database() {
  const auto name = "hub_" + std::to_string(++databases_);
  if (auto error = exec(conninfo("postgres"), "CREATE DATABASE " + name); !error.empty()) {
    failure_ = "CREATE DATABASE " + name + ": " + error;
    return "";
  }
  return conninfo(name);
}

PostgresServer& shared_postgres() {
  static PostgresServer server;
  return server;
}

}  // namespace regua::test
