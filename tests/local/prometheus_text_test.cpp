// Prometheus' text exposition format 0.0.4 as /metrics writes it: HELP and TYPE lines, samples with
// labels, and the escapes the format asks for.

#include "local/core/prometheus_text.hpp"

#include <limits>

#include <gtest/gtest.h>

namespace regua {
namespace {

TEST(PrometheusText, FamiliesSamplesAndLabels) {
  PrometheusText out;
  out.family("regua_outbox_records", "gauge", "Records waiting in the outbox.");
  out.sample("regua_outbox_records", std::int64_t{42});
  out.family("regua_messages", "gauge", "Messages by channel and outcome.");
  out.sample("regua_messages", std::int64_t{3}, {{"channel", "sms"}, {"state", "sent"}});
  out.sample("regua_loop_idle_seconds", 0.25);
  EXPECT_EQ(out.text(),
            "# HELP regua_outbox_records Records waiting in the outbox.\n"
            "# TYPE regua_outbox_records gauge\n"
            "regua_outbox_records 42\n"
            "# HELP regua_messages Messages by channel and outcome.\n"
            "# TYPE regua_messages gauge\n"
            "regua_messages{channel=\"sms\",state=\"sent\"} 3\n"
            "regua_loop_idle_seconds 0.25\n");
}

TEST(PrometheusText, EscapesWhatTheFormatAsks) {
  PrometheusText out;
  out.family("regua_x", "counter", "a \\ and a\nnewline \"quoted\"");
  out.sample("regua_x", std::int64_t{1}, {{"reason", "C:\\pos \"x\"\nnext"}});
  out.sample("regua_x", std::numeric_limits<double>::infinity());
  out.sample("regua_x", std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(out.text(),
            "# HELP regua_x a \\\\ and a\\nnewline \"quoted\"\n"
            "# TYPE regua_x counter\n"
            "regua_x{reason=\"C:\\\\pos \\\"x\\\"\\nnext\"} 1\n"
            "regua_x +Inf\n"
            "regua_x NaN\n");
}

}  // namespace
}  // namespace regua
