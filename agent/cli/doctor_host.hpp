#pragma once
// What `doctor` reads of the machine rather than the ledger: free space on the ledger's filesystem
// and the certificates the sync link presents and pins ([sync] cert and ca), with how many days
// each has left. Read once; the checks (doctor_checks.cpp) judge them.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "local/core/clock.hpp"

namespace regua {

struct DiskFact {
  std::filesystem::path folder;        // the ledger's folder
  std::optional<std::uintmax_t> free;  // bytes available to the agent; empty when unknown
  std::string problem;                 // why unknown
};

struct CertificateFact {
  std::string label;  // "[sync] cert"
  std::filesystem::path file;
  std::optional<std::int64_t> days_left;  // until notAfter (negative: expired), when readable
  bool not_yet_valid = false;
  std::string problem;  // why it could not be read
};

DiskFact read_disk_fact(const std::filesystem::path& ledger);

// The first certificate of a PEM file.
CertificateFact read_certificate_fact(std::string label, const std::filesystem::path& file, Seconds now);

}  // namespace regua
