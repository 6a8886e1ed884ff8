#!/usr/bin/env bash
# Makes a throw-away PKI for the TLS tests with openssl, fresh at every run (no key is
# ever committed or cached):
#
#   bash test/broker/test-pki.sh DIR
#
# DIR receives (keys 0600, everything else 0644):
#   ca.pem, ca.key                  the test CA: signs the broker's and the clients' certificates
#   other-ca.pem, other-ca.key      an unrelated CA (the wrong-CA test)
#   ca-bundle.pem                   other-ca.pem then ca.pem: a two-CA bundle like Fedora's
#                                   cacert.pem, proving every certificate of a bundle is used
#   server.pem, server.key          the broker: CN and SAN DNS:localhost, SAN IP:127.0.0.1 only
#   client.pem, client.key          CN=fm-tls-client, signed by the test CA (SASL EXTERNAL user)
#   stranger.pem, stranger.key      CN=fm-tls-stranger, signed by the test CA, no broker user
#   other-client.pem, other-client.key  CN=fm-tls-client, signed by the unrelated CA
#
# EC P-256 keys: generating one takes milliseconds where RSA 2048 takes a tenth of a second
# or more on a busy machine, and both Node and Erlang's ssl accept them.
set -euo pipefail

[[ $# == 1 ]] || { echo "usage: $0 DIR" >&2; exit 2; }
command -v openssl >/dev/null || { echo "test-pki.sh: openssl is needed" >&2; exit 1; }
readonly DIR="$1"
mkdir -p "$DIR"
umask 077

# Our own config: the system openssl.cnf adds extensions of its own to `req -x509`, which
# would clash with ours or differ between distributions.
readonly CNF="$DIR/openssl.cnf"
cat >"$CNF" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

readonly O="/O=fedora-messaging for Node tests"
readonly KEYOPTS=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
# Valid from now: the broker shares this machine's clock. Two days outlive any test run.
readonly VALIDITY=(-days 2)

serial() { printf '0x%s' "$(openssl rand -hex 12)"; }

# make_ca NAME "CN"
make_ca() {
  openssl req -x509 -config "$CNF" -extensions ca_ext "${KEYOPTS[@]}" "${VALIDITY[@]}" \
    -set_serial "$(serial)" -subj "$O/CN=$2" -keyout "$DIR/$1.key" -out "$DIR/$1.pem" 2>/dev/null
}

# make_leaf NAME "CN" EXTENSIONS CA
make_leaf() {
  openssl req -new -config "$CNF" "${KEYOPTS[@]}" -subj "$O/CN=$2" \
    -keyout "$DIR/$1.key" -out "$DIR/$1.csr" 2>/dev/null
  openssl x509 -req -in "$DIR/$1.csr" -CA "$DIR/$4.pem" -CAkey "$DIR/$4.key" -set_serial "$(serial)" \
    "${VALIDITY[@]}" -extfile "$CNF" -extensions "$3" -out "$DIR/$1.pem" 2>/dev/null
  rm -f "$DIR/$1.csr"
}

make_ca ca "fedora-messaging test CA"
make_ca other-ca "an unrelated test CA"
make_leaf server localhost server_ext ca
make_leaf client fm-tls-client client_ext ca
make_leaf stranger fm-tls-stranger client_ext ca
make_leaf other-client fm-tls-client client_ext other-ca
cat "$DIR/other-ca.pem" "$DIR/ca.pem" >"$DIR/ca-bundle.pem"
rm -f "$CNF"

chmod 0644 "$DIR"/*.pem
chmod 0600 "$DIR"/*.key
chmod 0755 "$DIR"
