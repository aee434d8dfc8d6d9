#!/usr/bin/env bash
# Writes the test-only CA and the 127.0.0.1 server certificate that
# tests/tls.rs serves. Not secrets: they exist only for loopback tests.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
  -keyout "$tmp/ca-key.pem" -out ca.pem -days 36500 -subj "/CN=hss-api test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign"
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
  -keyout server-key.pem -out "$tmp/server.csr" -subj "/CN=127.0.0.1"
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n' > "$tmp/ext"
openssl x509 -req -in "$tmp/server.csr" -CA ca.pem -CAkey "$tmp/ca-key.pem" -CAcreateserial -CAserial "$tmp/ca.srl" \
  -out server.pem -days 36500 -extfile "$tmp/ext"
