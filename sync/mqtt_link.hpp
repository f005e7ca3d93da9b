#pragma once
// One MQTT v5 connection over TLS (paho-mqtt-cpp), for the agent's sync and the hub: the broker's CA
// pinned (only certificates it signed are trusted, the host name is checked), a client certificate
// for mutual TLS, QoS 1. Nothing is kept by paho: no persistence, no automatic reconnect, clean
// start; the store's ledger is the only durable queue and the owner decides when to reconnect
// (sync/backoff.hpp).
//
// paho calls back on its own threads; the link turns every callback into an event in a queue that
// the owner's thread takes with next_event(), so that all the work (and every SQLite write) happens
// on the owner's thread. No paho exception leaves this class.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "local/core/result.hpp"

namespace mqtt {
class async_client;
}

namespace regua::sync {

struct TlsFiles {
  std::filesystem::path ca;    // the CA that signed the broker's certificate (pinned)
  std::filesystem::path cert;  // this client's certificate (its CN is its MQTT user name)
  std::filesystem::path key;   // and its private key
};

// Publishes a link takes before they are written out, at most (paho's default is 100).
inline constexpr int kMaxQueuedPublishes = 100'000;

struct LinkOptions {
  std::string url;        // ssl://host:port
  std::string client_id;  // unique on the broker
  TlsFiles tls;
  std::chrono::seconds keep_alive{20};
  std::chrono::seconds connect_timeout{10};
};

struct LinkEvent {
  enum class Kind { message, lost };
  Kind kind = Kind::message;
  std::string topic;
  std::string payload;
  bool retained = false;
  std::string cause;  // kind lost: why, when paho says
};

class MqttLink {
 public:
  // Checks the options (the files exist) and creates the client; does not connect.
  static Result<std::unique_ptr<MqttLink>> create(LinkOptions options);
  ~MqttLink();
  MqttLink(const MqttLink&) = delete;
  MqttLink& operator=(const MqttLink&) = delete;

  // Connects (MQTT v5, clean start), waiting up to the connect timeout.
  Status connect();
  // Subscribes at QoS 1 and returns the broker's reason code: 0-2 granted, 0x80 and above refused
  // (0x87: not authorised).
  Result<int> subscribe(const std::string& filter);
  // QoS 1, without waiting for the PUBACK (the protocol's own acks decide what is delivered).
  Status publish(const std::string& topic, const std::string& payload, bool retained = false);
  // QoS 1, waiting for the PUBACK; returns its reason code (0 accepted, 0x87 not authorised, ...).
  Result<int> publish_and_wait(const std::string& topic, const std::string& payload, bool retained = false);
  // Closes the connection; quick when it is already gone. Safe to call twice.
  void disconnect();

  [[nodiscard]] bool connected() const;
  // Publishes paho has not had a PUBACK for yet.
  [[nodiscard]] std::size_t unconfirmed() const;
  // The next event, waiting at most `wait`.
  std::optional<LinkEvent> next_event(std::chrono::milliseconds wait);
  // Wakes a next_event() that is waiting (from any thread).
  void wake();

 private:
  explicit MqttLink(LinkOptions options);
  void push(LinkEvent event);

  LinkOptions options_;
  std::unique_ptr<mqtt::async_client> client_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<LinkEvent> events_;
  bool woken_ = false;
  std::string tls_error_;
};

}  // namespace regua::sync
