#!/usr/bin/env bash
# Makes the certificates of a Régua network for a test or a small deployment, with the openssl
# command: a CA, the broker's server certificate, the hub's client certificate and one client
# certificate per store. docs/sync.md says where each file goes and how to renew them.
#
#   installer/pki.sh ca     DIR                      CA key and certificate (DIR/ca.key, DIR/ca.crt)
#   installer/pki.sh broker DIR HOST [IP...]         DIR/broker.{key,crt}: server certificate for HOST
#   installer/pki.sh enrolment DIR HOST [IP...]      DIR/enrolment.{key,crt}: the hub's enrolment endpoint
#   installer/pki.sh hub    DIR NETWORK              DIR/hub-NETWORK.{key,crt}: CN "hub:NETWORK"
#   installer/pki.sh store  DIR NETWORK STORE        DIR/NETWORK-STORE.{key,crt}: CN "NETWORK/STORE"
#   installer/pki.sh signer DIR NETWORK              DIR/rules-NETWORK.{key,pub}: Ed25519 key HQ signs
#                                                    rule packs with (the .pub is pinned by the agents)
#
# The broker turns a client certificate's CN into its MQTT user name (use_identity_as_username), and
# the ACL (installer/mosquitto/acl) lets user "NETWORK/STORE" write only regua/v1/NETWORK/STORE/up/#
# and read only regua/v1/NETWORK/STORE/down/#. Keys are EC P-256 (small, fast handshakes on a POS
# machine); certificates last REGUA_PKI_DAYS days (default 825). An existing file is never
# overwritten: remove it first to renew.
set -euo pipefail

days="${REGUA_PKI_DAYS:-825}"

usage() {
  sed -n '5,12p' "$0" | sed 's/^# //' >&2
  exit 2
}

need_new() {
  for f in "$@"; do
    if [ -e "$f" ]; then
      echo "pki.sh: $f exists already; remove it first to make a new one" >&2
      exit 1
    fi
  done
}

need_ca() {
  if [ ! -f "$1/ca.key" ] || [ ! -f "$1/ca.crt" ]; then
    echo "pki.sh: no CA in $1: run 'installer/pki.sh ca $1' first" >&2
    exit 1
  fi
}

check_name() {  # network and store ids: the characters of a store id in the agent's configuration
  if ! [[ "$1" =~ ^[A-Za-z0-9_-]{1,64}$ ]]; then
    echo "pki.sh: '$1' is not a valid $2 (use 1 to 64 letters, digits, '-' or '_')" >&2
    exit 2
  fi
}

new_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null
  chmod 600 "$1"
}

# sign DIR NAME SUBJECT EXTENSIONS: a certificate for DIR/NAME.key signed by the CA.
sign() {
  local dir="$1" name="$2" subject="$3" ext="$4"
  openssl req -new -key "$dir/$name.key" -subj "$subject" -out "$dir/$name.csr"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial \
    -days "$days" -sha256 -extfile <(printf '%b' "$ext") -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr"
}

# server_cert NAME DIR HOST [IP...]: DIR/NAME.{key,crt}, a server certificate for HOST (and IPs).
server_cert() {
  local name="$1" dir="$2" host="$3"
  shift 3
  need_ca "$dir"
  local san="DNS:$host"
  for ip in "$@"; do san="$san,IP:$ip"; done
  need_new "$dir/$name.key" "$dir/$name.crt"
  new_key "$dir/$name.key"
  sign "$dir" "$name" "/O=Regua/CN=$host" \
    "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=$san\n"
}

[ $# -ge 2 ] || usage
command="$1"
dir="$2"
mkdir -p "$dir"

case "$command" in
  ca)
    need_new "$dir/ca.key" "$dir/ca.crt"
    new_key "$dir/ca.key"
    openssl req -x509 -new -key "$dir/ca.key" -subj "/O=Regua/CN=Regua network CA" -days "$days" -sha256 \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -out "$dir/ca.crt"
    ;;
  broker)
    [ $# -ge 3 ] || usage
    shift
    server_cert broker "$@"
    ;;
  enrolment)  # signed by the CA: enrolment tokens pin the CA, so the endpoint must be under it
    [ $# -ge 3 ] || usage
    shift
    server_cert enrolment "$@"
    ;;
  hub)
    [ $# -eq 3 ] || usage
    need_ca "$dir"
    check_name "$3" "network id"
    need_new "$dir/hub-$3.key" "$dir/hub-$3.crt"
    new_key "$dir/hub-$3.key"
    sign "$dir" "hub-$3" "/O=Regua/CN=hub:$3" \
      "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n"
    ;;
  store)
    [ $# -eq 4 ] || usage
    need_ca "$dir"
    check_name "$3" "network id"
    check_name "$4" "store id"
    need_new "$dir/$3-$4.key" "$dir/$3-$4.crt"
    new_key "$dir/$3-$4.key"
    sign "$dir" "$3-$4" "/O=Regua/CN=$3\/$4" \
      "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n"
    ;;
  signer)
    [ $# -eq 3 ] || usage
    check_name "$3" "network id"
    need_new "$dir/rules-$3.key" "$dir/rules-$3.pub"
    openssl genpkey -algorithm ED25519 -out "$dir/rules-$3.key"
    chmod 600 "$dir/rules-$3.key"
    openssl pkey -in "$dir/rules-$3.key" -pubout -out "$dir/rules-$3.pub"
    ;;
  *)
    usage
    ;;
esac
