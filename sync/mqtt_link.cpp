#include "sync/mqtt_link.hpp"

#include <algorithm>

#include <mqtt/async_client.h>

#include "sync/tls_probe.hpp"

namespace regua::sync {
namespace {

// The plain-words handshake after a failed connect waits at most this long.
constexpr std::chrono::seconds kProbeTimeout{5};

Error link_error(const LinkOptions& o, std::string_view what, const std::string& detail) {
  return make_error(ErrorKind::io, "MQTT " + o.url + ": " + std::string(what) + ": " + detail);
}

}  // namespace

MqttLink::MqttLink(LinkOptions options) : options_(std::move(options)) {}

MqttLink::~MqttLink() {
  disconnect();
}

Result<std::unique_ptr<MqttLink>> MqttLink::create(LinkOptions options) {
  for (const auto* file : {&options.tls.ca, &options.tls.cert, &options.tls.key}) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*file, ec)) {
      return make_error(ErrorKind::config, "sync: the TLS file " + file->string() +
                                               " does not exist or is not a file (installer/pki.sh makes the "
                                               "CA, store and hub certificates; docs/sync.md)");
    }
  }
  std::unique_ptr<MqttLink> link(new MqttLink(std::move(options)));
  try {
    mqtt::create_options create(MQTTVERSION_5);
    // paho refuses a publish while this many of the client's messages wait for its one send thread
    // (the limit is for offline buffering, but applies when connected too: MQTTAsync.h). Its
    // default of 100 made the hub drop acks when it answered a thousand stores at once; what waits
    // is bounded by the callers (a store's window; the hub's acks of the batches it committed).
    create.set_max_buffered_messages(kMaxQueuedPublishes);
    link->client_ =
        std::make_unique<mqtt::async_client>(link->options_.url, link->options_.client_id, create, nullptr);
  } catch (const std::exception& e) {
    return make_error(ErrorKind::config, "sync: cannot use the broker URL " + link->options_.url + " (" +
                                             e.what() + "): write it as ssl://host:port");
  }
  auto* self = link.get();
  link->client_->set_message_callback([self](mqtt::const_message_ptr msg) {
    LinkEvent e;
    e.topic = msg->get_topic();
    e.payload = msg->get_payload();
    e.retained = msg->is_retained();
    self->push(std::move(e));
  });
  link->client_->set_connection_lost_handler([self](const std::string& cause) {
    LinkEvent e;
    e.kind = LinkEvent::Kind::lost;
    e.cause = cause.empty() ? "the connection was lost" : cause;
    self->push(std::move(e));
  });
  link->client_->set_disconnected_handler([self](const mqtt::properties&, mqtt::ReasonCode reason) {
    LinkEvent e;
    e.kind = LinkEvent::Kind::lost;
    e.cause =
        "the broker closed the connection (reason code " + std::to_string(static_cast<int>(reason)) + ")";
    self->push(std::move(e));
  });
  return link;
}

void MqttLink::push(LinkEvent event) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  ready_.notify_one();
}

void MqttLink::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  ready_.notify_one();
}

std::optional<LinkEvent> MqttLink::next_event(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  ready_.wait_for(lock, wait, [this] { return !events_.empty() || woken_; });
  woken_ = false;
  if (events_.empty()) return std::nullopt;
  LinkEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

Status MqttLink::connect() {
  try {
    mqtt::ssl_options ssl;
    ssl.set_trust_store(options_.tls.ca.string());
    ssl.set_key_store(options_.tls.cert.string());
    ssl.set_private_key(options_.tls.key.string());
    ssl.set_enable_server_cert_auth(true);
    ssl.set_verify(true);
    ssl.set_error_handler([this](const std::string& message) {
      std::lock_guard lock(mutex_);
      tls_error_ = message;
    });
    mqtt::connect_options opts;
    opts.set_mqtt_version(MQTTVERSION_5);
    opts.set_clean_start(true);
    opts.set_keep_alive_interval(options_.keep_alive);
    opts.set_connect_timeout(options_.connect_timeout);
    opts.set_automatic_reconnect(false);
    opts.set_ssl(std::move(ssl));
    {
      std::lock_guard lock(mutex_);
      events_.clear();
      tls_error_.clear();
    }
    auto token = client_->connect(opts);
    if (!token->wait_for(options_.connect_timeout + std::chrono::seconds(2))) {
      return link_error(options_, "cannot connect",
                        "no answer within " + std::to_string(options_.connect_timeout.count()) + " s");
    }
    return {};
  } catch (const mqtt::exception& e) {
    std::string detail = e.what();
    {
      std::lock_guard lock(mutex_);
      if (!tls_error_.empty()) detail += " (TLS: " + tls_error_ + ")";
    }
    // paho says "certificate verify failed", "TCP/TLS connect failure" or nothing of TLS at all: a
    // handshake of our own says whose certificate and why (expired, another name, another CA), in
    // words a person can act on. A broker that is down fails it quickly, before TLS: nothing added.
    const auto probe = probe_broker_tls(options_.url, options_.tls,
                                        std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::min(options_.connect_timeout, kProbeTimeout)));
    if (probe.stage == ProbeStage::tls) detail = probe.detail + "; " + detail;
    return link_error(options_, "cannot connect", detail);
  } catch (const std::exception& e) {
    return link_error(options_, "cannot connect", e.what());
  }
}

Result<int> MqttLink::subscribe(const std::string& filter) {
  try {
    auto token = client_->subscribe(filter, 1);
    if (!token->wait_for(options_.connect_timeout)) {
      return link_error(options_, "subscribing to " + filter, "no SUBACK in time");
    }
    const auto codes = token->get_subscribe_response().get_reason_codes();
    return codes.empty() ? 0 : static_cast<int>(codes.front());
  } catch (const mqtt::exception& e) {
    if (e.get_reason_code() >= 0x80) return e.get_reason_code();
    return link_error(options_, "subscribing to " + filter, e.what());
  }
}

Status MqttLink::publish(const std::string& topic, const std::string& payload, bool retained) {
  try {
    client_->publish(topic, payload.data(), payload.size(), 1, retained);
    return {};
  } catch (const std::exception& e) {
    return link_error(options_, "publishing to " + topic, e.what());
  }
}

Result<int> MqttLink::publish_and_wait(const std::string& topic, const std::string& payload, bool retained) {
  try {
    auto token = client_->publish(topic, payload.data(), payload.size(), 1, retained);
    if (!token->wait_for(options_.connect_timeout)) {
      return link_error(options_, "publishing to " + topic, "no PUBACK in time");
    }
    return static_cast<int>(token->get_reason_code());
  } catch (const mqtt::exception& e) {
    if (e.get_reason_code() >= 0x80) return e.get_reason_code();
    return link_error(options_, "publishing to " + topic, e.what());
  }
}

void MqttLink::disconnect() {
  if (!client_) return;
  try {
    if (client_->is_connected())
      client_->disconnect(std::chrono::milliseconds(500))->wait_for(std::chrono::seconds(2));
  } catch (const std::exception&) {
    // Already gone: nothing to close.
  }
}

bool MqttLink::connected() const {
  return client_ && client_->is_connected();
}

std::size_t MqttLink::unconfirmed() const {
  try {
    return client_ ? client_->get_pending_delivery_tokens().size() : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

}  // namespace regua::sync
