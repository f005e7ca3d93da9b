// `regua-agent setup` (docs/cli.md): the first run on a POS machine. Asks for what a store must
// say (its id, time zone, where the POS writes), or takes it from flags when a script installs many
// machines, then writes a configuration that the agent's own reader accepts before it is saved.

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include <date/tz.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

#include "agent/cli/commands.hpp"
#include "agent/cli/common.hpp"
#include "agent/identity/libphonenumber_normaliser.hpp"

namespace regua {
namespace {

// A field the setup asks for: its question, its check (empty string: fine; else what is wrong).
struct Question {
  std::string label;
  std::optional<std::string>* answer;
  std::string fallback;  // offered between brackets; empty: an answer is required
  std::function<std::string(const std::string&)> problem;
  std::string flag;       // the flag that answers it without asking
  bool optional = false;  // an empty answer is fine
  bool csv_only = false;  // asked only for a CSV source
};

std::string store_id_problem(const std::string& id) {
  return is_store_id(id) ? "" : "use 1 to 64 letters, digits, '-' or '_' (e.g. loja-centro)";
}

std::string timezone_problem(const std::string& zone) {
  try {
    (void)date::locate_zone(zone);
    return "";
  } catch (const std::exception&) {
    return "not an IANA time zone (e.g. America/Sao_Paulo, America/Manaus, America/Recife)";
  }
}

std::string country_problem(const std::string& country) {
  return is_phone_region(country) ? "" : "use the two capital letters of the country (BR, PT, US...)";
}

std::string kind_problem(const std::string& kind) {
  return source_kind_from_name(kind) ? "" : "one of jsonl (JSON Lines), csv or nfe (a folder of fiscal XML)";
}

std::string path_problem(const std::string& path) {
  return path.empty() ? "give a path" : "";
}

std::string hub_problem(const std::string& hub) {
  if (hub.empty() || hub.starts_with("mqtts://")) return "";
  return "use mqtts://HOST:PORT (TLS), or leave it empty for a store without a hub";
}

// Asks on stdin until the answer passes its check. Fails when stdin ends (a script without flags).
Status ask(Question& q) {
  for (;;) {
    fmt::print("{}{}: ", q.label, q.fallback.empty() ? "" : " [" + q.fallback + "]");
    std::fflush(stdout);
    std::string line;
    if (!std::getline(std::cin, line)) {
      fmt::print("\n");
      return make_error(ErrorKind::usage, "no answer for \"" + q.label + "\" (stdin ended): pass " + q.flag +
                                              " or run setup on a terminal");
    }
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
      line.pop_back();
    if (line.empty()) line = q.fallback;
    if (line.empty() && q.fallback.empty() && !q.optional) {
      fmt::print("  an answer is needed\n");
      continue;
    }
    if (auto problem = q.problem(line); !problem.empty()) {
      fmt::print("  \"{}\": {}\n", line, problem);
      continue;
    }
    *q.answer = line;
    return {};
  }
}

Status take_flag(const Question& q) {
  if (auto problem = q.problem(**q.answer); !problem.empty()) {
    return make_error(ErrorKind::usage, q.flag + " \"" + **q.answer + "\": " + problem);
  }
  return {};
}

// A TOML string as toml++ writes it, so that any path or name comes out quoted correctly.
std::string toml_quoted(const std::string& text) {
  std::ostringstream out;
  out << toml::value<std::string>(text);
  return out.str();
}

// By hand rather than by serialising a toml::table, which would sort the tables by name: a person
// reading the file expects [store] first and a word on what each part is.
std::string render_config(const SetupOptions& o) {
  std::string out =
      "# Régua agent configuration, written by `regua-agent setup`.\n"
      "# docs/config.md lists every key with its default; `regua-agent doctor` checks this file.\n\n";
  out += "[store]\nid = " + toml_quoted(*o.store_id) +
         "\nname = " + toml_quoted(o.store_name.value_or(*o.store_id)) +
         "\ntimezone = " + toml_quoted(*o.timezone) + "\ncountry = " + toml_quoted(*o.country) + "\n\n";
  out += "[ledger]\npath = " + toml_quoted(o.ledger->string()) + "\n\n";
  out += "# Where the POS writes its sales (docs/connectors.md).\n[[source]]\nname = \"pos\"\nkind = " +
         toml_quoted(*o.pos_kind) + "\npath = " + toml_quoted(o.pos_path->string()) + "\n";
  if (*o.pos_kind == "csv") {
    out += "\n[source.csv]\ndelimiter = " + toml_quoted(o.csv_delimiter.value_or(",")) +
           "\n\n# Which column holds what (by the header's name); docs/config.md lists every field.\n"
           "[source.columns]\nsale_id = " +
           toml_quoted(*o.csv_sale_id) + "\ndatetime = " + toml_quoted(*o.csv_datetime) +
           "\ntotal = " + toml_quoted(*o.csv_total) + "\n";
    if (o.csv_customer_id && !o.csv_customer_id->empty())
      out += "customer_id = " + toml_quoted(*o.csv_customer_id) + "\n";
  }
  if (o.hub && !o.hub->empty()) {
    out +=
        "\n# The hub this store syncs with (docs/sync.md); `regua-agent enroll` brings the certificates.\n"
        "# [sync]\n# broker = " +
        toml_quoted(*o.hub) + "\n";
  }
  return out;
}

// Writes next to the target and renames, so a crash never leaves half a configuration. 0640: the
// file may come to hold provider credentials; the agent's group reads it.
Status write_config(const std::filesystem::path& file, const std::string& text) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  const auto partial = std::filesystem::path(file.string() + ".partial");
  {
    std::ofstream out(partial, std::ios::trunc);
    if (!out) return make_error(ErrorKind::io, "cannot write " + partial.string() + ": check the folder");
    out << text;
    out.flush();
    if (!out) return make_error(ErrorKind::io, "cannot write " + partial.string() + ": is the disk full?");
  }
  ::chmod(partial.c_str(), 0640);
  std::filesystem::rename(partial, file, ec);
  if (ec)
    return make_error(ErrorKind::io,
                      "cannot put the configuration at " + file.string() + ": " + ec.message());
  return {};
}

}  // namespace

int setup_command(const std::filesystem::path& config_file, SetupOptions options) {
  std::error_code ec;
  if (std::filesystem::exists(config_file, ec) && !options.force) {
    return report_error(make_error(ErrorKind::usage, config_file.string() +
                                                         " already exists: pass --force to replace it "
                                                         "(its ledger and data are not touched)"));
  }
  const bool system_wide = config_file.parent_path() == "/etc/regua";
  const std::string default_ledger = system_wide ? "/var/lib/regua/ledger.db" : "ledger.db";
  const auto anything = [](const std::string&) { return std::string(); };
  const auto one_character = [](const std::string& d) {
    return d.size() == 1 || d == "tab" ? std::string() : std::string("one character, e.g. ; or , (or tab)");
  };
  std::vector<Question> questions{
      {"Store id (short, stable: letters, digits, - and _)", &options.store_id, "", store_id_problem,
       "--store-id"},
      {"Store name", &options.store_name, "", anything, "--store-name", true},
      {"Time zone (IANA)", &options.timezone, "America/Sao_Paulo", timezone_problem, "--timezone"},
      {"Country (phone numbers)", &options.country, "BR", country_problem, "--country"},
      {"How the POS writes its sales (jsonl, csv, nfe)", &options.pos_kind, "jsonl", kind_problem,
       "--pos-kind"},
      {"Where the POS writes (file; for nfe, the folder)", &options.pos_path_text, "", path_problem, "--pos"},
      {"CSV: what separates the columns", &options.csv_delimiter, ",", one_character, "--csv-delimiter",
       false, true},
      {"CSV: the column with the sale's id", &options.csv_sale_id, "", path_problem, "--csv-sale-id", false,
       true},
      {"CSV: the column with the date and time", &options.csv_datetime, "", path_problem, "--csv-datetime",
       false, true},
      {"CSV: the column with the total", &options.csv_total, "", path_problem, "--csv-total", false, true},
      {"CSV: the column with the customer's id (empty: none)", &options.csv_customer_id, "", anything,
       "--csv-customer-id", true, true},
      {"Ledger file", &options.ledger_text, default_ledger, path_problem, "--ledger"},
      {"Hub address (mqtts://HOST:PORT; empty: none)", &options.hub, "", hub_problem, "--hub", true},
  };
  for (auto& q : questions) {
    if (q.csv_only && options.pos_kind != "csv") continue;
    if (q.flag == "--store-name" && options.store_id && !options.store_name) q.fallback = *options.store_id;
    if (*q.answer) {
      if (auto s = take_flag(q); !s) return report_error(s.error());
      continue;
    }
    if (options.non_interactive) {
      if (q.fallback.empty() && !q.optional) {
        return report_error(make_error(ErrorKind::usage, "--non-interactive needs " + q.flag));
      }
      if (!q.fallback.empty()) *q.answer = q.fallback;
      continue;
    }
    if (auto s = ask(q); !s) return report_error(s.error());
  }
  options.pos_path = *options.pos_path_text;
  options.ledger = *options.ledger_text;

  const auto text = render_config(options);
  // The agent's own reader judges the result before it is saved: setup never writes a file that
  // `run` would refuse.
  auto parsed = parse_config(text, config_file);
  if (!parsed) return report_error(parsed.error().within("the configuration setup made"));
  if (auto s = write_config(config_file, text); !s) return report_error(s.error());

  fmt::print("wrote {}\n", config_file.string());
  const auto& source = parsed->sources.front();
  if (!std::filesystem::exists(source.path, ec)) {
    fmt::print("note: {} does not exist yet; the agent waits for the POS to create it\n",
               source.path.string());
  }
  fmt::print(
      "next: `regua-agent doctor --config {0}`, then start the agent (systemctl enable --now "
      "regua-agent, or `regua-agent run --config {0}`)\n",
      config_file.string());
  return kExitOk;
}

}  // namespace regua
