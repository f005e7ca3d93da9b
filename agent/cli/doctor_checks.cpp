#include "agent/cli/doctor_checks.hpp"

#include <algorithm>
#include <cstdlib>

#include <fmt/format.h>

#include "agent/cli/quality_report.hpp"
#include "local/core/timestamp.hpp"

namespace regua {
namespace {

using Check = void (*)(const DoctorFacts&, std::vector<Finding>&);

// "12 of 40"
std::string of(std::int64_t part, std::int64_t whole) {
  return fmt::format("{} of {}", part, whole);
}

void check_ledger(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.quality) {
    out.push_back({Severity::action, "the ledger cannot be read: " + f.ledger_problem});
    return;
  }
  if (f.quality->sales == 0) {
    out.push_back(
        {Severity::action,
         "there are no sales in the ledger yet: check that the POS writes where each [[source]] path "
         "points and that `regua-agent run` is running (`regua-agent status` shows each source)"});
  }
}

void check_rules(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.rules_problem.empty()) {
    out.push_back({Severity::action,
                   "the rules cannot be read, so `regua-agent run` will not start: " + f.rules_problem});
    return;
  }
  out.push_back({Severity::ok, fmt::format("{} rule(s) running (docs/rules.md)", f.rules_running)});
  for (const auto& w : f.rules_warnings)
    out.push_back({Severity::advice, w});
}

void check_tasks(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.tasks) return;
  if (f.tasks->overdue > 0) {
    out.push_back(
        {Severity::advice, fmt::format("{} of {} open task(s) are overdue: staff should contact those "
                                       "customers and close the tasks (`regua-agent tasks list`)",
                                       f.tasks->overdue, f.tasks->open)});
  } else {
    out.push_back({Severity::ok, fmt::format("{} open task(s), none overdue", f.tasks->open)});
  }
}

void check_sync(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.sync || !f.sync->configured) return;
  const auto& s = *f.sync;
  if (!s.alarm.empty()) {
    out.push_back({Severity::action, "sync: " + s.alarm});
  }
  if (s.state == "connected") {
    out.push_back(
        {Severity::ok, fmt::format("sync: connected to {}; {} record(s) waiting", s.broker, s.waiting)});
  } else if (s.state != "not running") {
    out.push_back(
        {Severity::advice,
         fmt::format("sync: not connected to {} ({}); {} record(s) wait in the outbox and leave when "
                     "the link is back (docs/sync.md says what each error means)",
                     s.broker, s.error.empty() ? s.state : s.error, s.waiting)});
  }
  if (s.parked > 0) {
    out.push_back(
        {Severity::advice, fmt::format("sync: {} message(s) from the hub were parked; their reasons are in "
                                       "the ledger table sync_parked (docs/sync.md)",
                                       s.parked)});
  }
  if (s.rules_refused > 0) {
    out.push_back(
        {Severity::advice, fmt::format("sync: {} rule pack(s) refused, the newest because: {}; version {} "
                                       "keeps running",
                                       s.rules_refused, s.last_refusal, s.rules_version)});
  }
}

void check_identified_sales(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.quality || f.quality->sales == 0) return;
  const auto& q = *f.quality;
  const double s = *share(q.identified_sales, q.sales);
  const auto anonymous = q.sales - q.identified_sales;
  if (s < kMinIdentifiedSales) {
    out.push_back(
        {Severity::action, fmt::format("{} of sales have no customer ({}): select (or register) the "
                                       "customer at checkout, so that each sale counts for someone",
                                       percent(share(anonymous, q.sales)), of(anonymous, q.sales))});
  } else {
    out.push_back({Severity::ok, fmt::format("{} of sales have a customer ({})", percent(s),
                                             of(q.identified_sales, q.sales))});
  }
}

void check_mobiles(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.quality || f.quality->customers == 0) return;
  const auto& q = *f.quality;
  const double s = *share(q.valid_mobile, q.customers);
  if (s >= kMinCustomersWithMobile) {
    out.push_back({Severity::ok, fmt::format("{} of customers have a mobile number ({})", percent(s),
                                             of(q.valid_mobile, q.customers))});
    return;
  }
  const auto without = q.customers - q.valid_mobile;
  std::string why;
  if (q.phone_not_mobile > 0) why += fmt::format("; {} have a landline only", q.phone_not_mobile);
  if (q.invalid_phone > 0) why += fmt::format("; {} have a number that is not valid", q.invalid_phone);
  out.push_back(
      {Severity::action, fmt::format("{} of customers have no mobile number ({}{}): ask for it at "
                                     "checkout and type it in the POS's mobile field, with the area "
                                     "code; SMS and WhatsApp reach only mobiles",
                                     percent(share(without, q.customers)), of(without, q.customers), why)});
}

void check_duplicates(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.quality) return;
  const auto& q = *f.quality;
  if (q.duplicate_groups == 0) {
    if (q.customers > 0) out.push_back({Severity::ok, "no duplicate customer records"});
  } else {
    out.push_back(
        {Severity::action,
         fmt::format("{} customer records look like {} {} (they share a CPF, a mobile or an "
                     "e-mail): review them with `regua-agent customers duplicates` and merge each group "
                     "with `regua-agent customers merge KEEP OTHER...`; also merge them in the POS",
                     q.duplicate_records, q.duplicate_groups,
                     q.duplicate_groups == 1 ? "person" : "people")});
  }
  for (const auto& p : q.placeholders) {
    out.push_back(
        {Severity::action,
         fmt::format("the {} {} is on {} customers: it is a placeholder, not their {}; leave the field "
                     "empty when a customer has none, and correct those records in the POS",
                     p.key == SharedKey::email ? "e-mail" : "mobile", p.value, p.records,
                     p.key == SharedKey::email ? "e-mail" : "number")});
  }
}

void check_details(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.quality || f.quality->customers == 0) return;
  const auto& q = *f.quality;
  if (q.invalid_cpf > 0) {
    out.push_back(
        {Severity::advice, fmt::format("{} customer(s) have a CPF that fails its check digits: correct "
                                       "it in the POS (a wrong CPF never identifies anyone)",
                                       q.invalid_cpf)});
  }
  if (q.invalid_email > 0) {
    out.push_back({Severity::advice, fmt::format("{} customer(s) have an e-mail address that is not valid: "
                                                 "correct it in the POS",
                                                 q.invalid_email)});
  }
  if (q.invalid_birthday > 0) {
    out.push_back(
        {Severity::advice, fmt::format("{} customer(s) have a birthday that is not a date: correct it "
                                       "in the POS (day/month/year)",
                                       q.invalid_birthday)});
  }
  const double email = *share(q.valid_email, q.customers);
  if (email < kMinCustomersWithEmail) {
    out.push_back(
        {Severity::advice, fmt::format("only {} of customers have an e-mail address ({}): ask for it "
                                       "at checkout, it is the cheapest channel",
                                       percent(email), of(q.valid_email, q.customers))});
  }
}

void check_quarantine(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.quality || f.quality->quarantined == 0) return;
  const auto& q = *f.quality;
  std::string most;
  for (std::size_t i = 0; i < std::min<std::size_t>(3, q.quarantine_by_reason.size()); ++i) {
    const auto& r = q.quarantine_by_reason[i];
    most += fmt::format("{}\n          {} × {}", i == 0 ? ":" : "", r.count, r.reason);
  }
  out.push_back(
      {Severity::action,
       fmt::format("{} input(s) could not be taken and are in the quarantine; `regua-agent status` "
                   "shows the newest with their file and line: fix what the POS writes (the reasons "
                   "say what is wrong){}",
                   q.quarantined, most)});
}

// Every check, in the order they are shown.
// "1.4 GiB", "230 MiB"
std::string doctor_bytes(std::uintmax_t bytes) {
  if (bytes >= (1ull << 30)) return fmt::format("{:.1f} GiB", static_cast<double>(bytes) / (1ull << 30));
  return fmt::format("{} MiB", bytes >> 20);
}

void check_disk(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.disk) return;
  const auto& d = *f.disk;
  if (!d.free) {
    out.push_back({Severity::action, d.problem + ": check that the ledger's folder exists and is readable"});
    return;
  }
  const std::string where =
      fmt::format("{} free on the ledger's disk ({})", doctor_bytes(*d.free), d.folder.string());
  if (*d.free < kMinFreeBytes) {
    out.push_back({Severity::action,
                   where + ": under " + doctor_bytes(kMinFreeBytes) +
                       ", the ledger's writes will soon fail and sales wait in the POS file; free space "
                       "on that disk (old backups, logs) now"});
  } else if (*d.free < kLowFreeBytes) {
    out.push_back({Severity::advice, where + ": under " + doctor_bytes(kLowFreeBytes) +
                                         "; free some space before it runs out (old backups, logs)"});
  } else {
    out.push_back({Severity::ok, where});
  }
}

void check_certificates(const DoctorFacts& f, std::vector<Finding>& out) {
  for (const auto& c : f.certificates) {
    if (!c.days_left) {
      out.push_back({Severity::action, c.label + ": " + c.problem +
                                           ": the link to the hub cannot start; enrol the store again "
                                           "(`regua-agent enroll`) or fix the path in the configuration"});
    } else if (*c.days_left < 0) {
      out.push_back({Severity::action,
                     fmt::format("{} ({}) expired {} day(s) ago: the broker refuses the link and nothing "
                                 "reaches HQ; enrol the store again (`regua-agent enroll`) for a new one",
                                 c.label, c.file.string(), -*c.days_left)});
    } else if (c.not_yet_valid) {
      out.push_back(
          {Severity::action, fmt::format("{} ({}) is not valid yet: check this machine's date and time",
                                         c.label, c.file.string())});
    } else if (*c.days_left < kCertificateRenewDays) {
      out.push_back({Severity::advice, fmt::format("{} ({}) expires in {} day(s): enrol the store again "
                                                   "(`regua-agent enroll`) before then",
                                                   c.label, c.file.string(), *c.days_left)});
    } else {
      out.push_back({Severity::ok, fmt::format("{} valid for {} more day(s)", c.label, *c.days_left)});
    }
  }
}

void check_quiet_hours(const DoctorFacts& f, std::vector<Finding>& out) {
  if (f.config == nullptr) return;
  const auto& q = f.config->rules.quiet;
  if (!q.enabled()) {
    out.push_back({Severity::advice,
                   "no quiet hours ([rules.quiet_hours] start = end): messages may reach customers at "
                   "night; set them (default 21:00 to 09:00)"});
    return;
  }
  const auto day = std::chrono::minutes(24 * 60);
  const auto quiet = (q.end - q.start + day) % day;
  const auto hm = [](std::chrono::minutes m) {
    return fmt::format("{:02}:{:02}", m.count() / 60, m.count() % 60);
  };
  if (quiet > kMaxQuietHours) {
    out.push_back(
        {Severity::advice, fmt::format("quiet hours {} to {} leave {} hour(s) a day for messages: check "
                                       "[rules.quiet_hours] start and end are not swapped",
                                       hm(q.start), hm(q.end), (day - quiet).count() / 60)});
  } else {
    out.push_back({Severity::ok, fmt::format("quiet hours {} to {}", hm(q.start), hm(q.end))});
  }
}

// "3 day(s)", "5 h", "12 min", "40 s": a span in the largest unit that fits.
std::string doctor_duration(std::int64_t seconds) {
  seconds = seconds < 0 ? -seconds : seconds;
  if (seconds >= 2 * 86'400) return fmt::format("{} day(s)", seconds / 86'400);
  if (seconds >= 2 * 3'600) return fmt::format("{} h", seconds / 3'600);
  if (seconds >= 2 * 60) return fmt::format("{} min", seconds / 60);
  return fmt::format("{} s", seconds);
}

void check_outbox_age(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.sync || !f.sync->configured || !f.outbox_age) return;
  const auto& a = *f.outbox_age;
  if (a.waiting == 0) {
    out.push_back({Severity::ok, "outbox: nothing waits for the hub"});
    return;
  }
  if (!a.oldest_since) {
    out.push_back(
        {Severity::ok, fmt::format("outbox: {} record(s) wait for the hub (since when is noted once "
                                   "`regua-agent run` has run a minute with [sync])",
                                   a.waiting)});
    return;
  }
  const auto age = (f.now - *a.oldest_since).count();
  if (age >= std::chrono::duration_cast<std::chrono::seconds>(kOutboxOldAge).count()) {
    out.push_back(
        {Severity::advice,
         fmt::format("outbox: {} record(s) wait for the hub, the oldest since {} ({}): nothing is lost and "
                     "they leave when the link is back, but HQ has not seen this store since then; if the "
                     "store should be online, see the broker finding and `regua-agent status`",
                     a.waiting, format_utc(*a.oldest_since), doctor_duration(age))});
  } else {
    out.push_back({Severity::ok, fmt::format("outbox: {} record(s) wait for the hub, the oldest for {}",
                                             a.waiting, doctor_duration(age))});
  }
}

void check_hub_clock(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.sync || !f.sync->configured || !f.hub_clock_read) return;
  if (!f.hub_clock) {
    out.push_back({Severity::advice,
                   "clock: this store has never heard from its hub, so this machine's clock was not compared "
                   "with the hub's; it will be once the link works (an older hub does not send its clock)"});
    return;
  }
  const auto skew = f.hub_clock->skew_s();
  const auto when = format_utc(f.hub_clock->local);
  const auto off = fmt::format("this machine's clock is {} {} the hub's (compared at {})",
                               doctor_duration(skew), skew > 0 ? "ahead of" : "behind", when);
  const auto fix =
      ": sale times, quiet hours, due tasks and certificate checks go by it; turn on automatic time "
      "(`timedatectl set-ntp true`; on Windows, internet time) or set the date and time";
  if (std::abs(skew) >= std::chrono::duration_cast<std::chrono::seconds>(kClockSkewAction).count()) {
    out.push_back({Severity::action, "clock: " + off + fix});
  } else if (std::abs(skew) >= kClockSkewAdvice.count()) {
    out.push_back({Severity::advice, "clock: " + off + fix});
  } else {
    out.push_back({Severity::ok, fmt::format("clock: within {} of the hub's (compared at {})",
                                             doctor_duration(skew), when)});
  }
}

void check_broker(const DoctorFacts& f, std::vector<Finding>& out) {
  if (!f.broker) return;
  const auto& b = *f.broker;
  const auto lead = "broker " + b.url + ": ";
  switch (b.probe.stage) {
    case sync::ProbeStage::address:
    case sync::ProbeStage::tcp:
      out.push_back({Severity::action, lead + "cannot be reached: " + b.probe.detail});
      return;
    case sync::ProbeStage::tls:
      out.push_back({Severity::action, lead + "TLS refused: " + b.probe.detail});
      return;
    case sync::ProbeStage::ok:
      break;
  }
  if (!b.problem.empty()) {
    out.push_back({Severity::action, lead + "TLS is fine but MQTT failed: " + b.problem});
  } else if (b.suback && *b.suback >= 0x80) {
    out.push_back(
        {Severity::action,
         fmt::format("{}the broker's ACL refuses this store its own topic {} (reason code 0x{:02x}{}): the "
                     "store's certificate is not for \"{}\" on this network; enrol the store again "
                     "(`regua-agent enroll`), or check [store] id and [sync] network",
                     lead, b.topic, *b.suback, *b.suback == 0x87 ? ", not authorised" : "", b.store_user)});
  } else if (!b.certificate_user.empty() && b.certificate_user != b.store_user) {
    out.push_back(
        {Severity::action,
         fmt::format("{}the broker's ACL lets this store's certificate (MQTT user \"{}\", its CN) read and "
                     "write only that store's topics, not {}: nothing this store sends reaches the hub and "
                     "nothing from the hub reaches it (the broker grants the subscription and delivers "
                     "nothing); enrol the store again (`regua-agent enroll`), or check [store] id and "
                     "[sync] network",
                     lead, b.certificate_user, b.topic)});
  } else {
    out.push_back({Severity::ok,
                   lead + "reachable; TLS and this store's certificate accepted; subscribed to " + b.topic});
  }
}

void check_channels(const DoctorFacts& f, std::vector<Finding>& out) {
  for (const auto& c : f.channels) {
    const auto lead = fmt::format("{} ({}) at {}", c.channels, c.provider, c.endpoint);
    if (c.problem.empty()) {
      out.push_back({Severity::ok, lead + ": reachable, its TLS certificate verified"});
    } else {
      out.push_back({Severity::action,
                     lead + ": cannot connect (" + c.problem +
                         "): messages on it fail until it can; check the provider's address in [channels." +
                         c.provider +
                         "], this machine's internet link and firewall, and [channels] ca_file "
                         "for a provider with a private CA (docs/channels.md)"});
    }
  }
}

constexpr Check kChecks[] = {
    check_ledger,  check_identified_sales, check_mobiles,   check_duplicates,
    check_details, check_quarantine,       check_rules,     check_tasks,
    check_sync,    check_outbox_age,       check_hub_clock, check_broker,
    check_disk,    check_certificates,     check_channels,  check_quiet_hours,
};

std::string_view label(Severity s) {
  switch (s) {
    case Severity::ok:
      return "ok    ";
    case Severity::advice:
      return "advice";
    case Severity::action:
      return "ACTION";
  }
  return "";
}

}  // namespace

std::vector<Finding> run_doctor_checks(const DoctorFacts& facts) {
  std::vector<Finding> out;
  for (const Check check : kChecks)
    check(facts, out);
  return out;
}

int doctor_exit_code(const std::vector<Finding>& findings) {
  const bool action = std::any_of(findings.begin(), findings.end(),
                                  [](const Finding& f) { return f.severity == Severity::action; });
  return action ? 1 : 0;
}

std::string render_doctor(const DoctorFacts& facts, const std::vector<Finding>& findings) {
  std::string out;
  if (facts.config != nullptr) {
    out += fmt::format("Régua doctor · store {} ({})\n\n", facts.config->store.id, facts.config->store.name);
  }
  for (const auto& f : findings)
    out += fmt::format("  {}  {}\n", label(f.severity), f.text);
  const auto actions = std::count_if(findings.begin(), findings.end(),
                                     [](const Finding& f) { return f.severity == Severity::action; });
  out += actions == 0 ? "\nNothing needs action.\n" : fmt::format("\n{} finding(s) need action.\n", actions);
  return out;
}

}  // namespace regua
