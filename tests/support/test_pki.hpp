#pragma once
// A throwaway certificate authority and a server certificate for localhost / 127.0.0.1, made with
// the `openssl` command at test time (nothing secret is kept in the repository), for the stand-in
// providers' TLS. A second TestPki is a CA nobody was told to trust.

#include <filesystem>
#include <string>

#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace regua::test {

inline const std::string kOpenssl = "/usr/bin/openssl";

class TestPki {
 public:
  explicit TestPki(const std::filesystem::path& dir) : dir_(dir) {
    std::filesystem::create_directories(dir_);
    write_file(dir_ / "server.ext",
               "subjectAltName = DNS:localhost, IP:127.0.0.1\nbasicConstraints = CA:FALSE\n"
               "keyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\n");
    const auto p = [&](const char* name) { return (dir_ / name).string(); };
    run({kOpenssl,
         "req",
         "-x509",
         "-newkey",
         "ec",
         "-pkeyopt",
         "ec_paramgen_curve:prime256v1",
         "-nodes",
         "-keyout",
         p("ca.key"),
         "-out",
         p("ca.crt"),
         "-days",
         "2",
         "-subj",
         "/CN=Regua Test CA",
         "-addext",
         "basicConstraints=critical,CA:TRUE",
         "-addext",
         "keyUsage=critical,keyCertSign,cRLSign"});
    run({kOpenssl, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
         p("server.key"), "-out", p("server.csr"), "-subj", "/CN=localhost"});
    run({kOpenssl, "x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
         "-CAcreateserial", "-out", p("server.crt"), "-days", "2", "-extfile", p("server.ext")});
  }

  [[nodiscard]] bool ok() const { return error_.empty(); }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] std::filesystem::path ca_cert() const { return dir_ / "ca.crt"; }
  [[nodiscard]] std::filesystem::path server_cert() const { return dir_ / "server.crt"; }
  [[nodiscard]] std::filesystem::path server_key() const { return dir_ / "server.key"; }

 private:
  void run(const std::vector<std::string>& args) {
    if (!error_.empty()) return;
    const auto r = run_command(args);
    if (r.exit_code != 0) error_ = args[1] + " failed: " + r.err;
  }

  std::filesystem::path dir_;
  std::string error_;
};

// DIR/NAME.key and DIR/NAME.pub: an Ed25519 key pair (HQ's signer of rule packs and orders, or a
// forger's); true when both were made.
inline bool make_ed25519_key_pair(const std::filesystem::path& dir, const std::string& name) {
  const auto key = (dir / (name + ".key")).string();
  return run_command({kOpenssl, "genpkey", "-algorithm", "ED25519", "-out", key}).exit_code == 0 &&
         run_command({kOpenssl, "pkey", "-in", key, "-pubout", "-out", (dir / (name + ".pub")).string()})
                 .exit_code == 0;
}

}  // namespace regua::test
