#!/usr/bin/env bash
# http_certs.sh DIR — makes the certificates of the wasi:http tests with the
# openssl CLI, fresh each run (nothing here is committed). EC P-256 keys.
#   ca.pem                 the test CA (give it to the host as SSL_CERT_FILE)
#   server.pem/.key        from ca.pem, SAN IP:127.0.0.1, DNS:localhost
#   untrusted.pem/.key     same SANs, from a second CA (rogue-ca) nobody trusts
#   wrongname.pem/.key     from ca.pem, but only for DNS:wrong.example
# Fails (set -e) when openssl is missing or refuses.
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
command -v openssl > /dev/null || { echo "http_certs.sh: openssl not found" >&2; exit 1; }

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2> /dev/null; }

# ca NAME SUBJECT: a self-signed CA certificate NAME.pem with key NAME.key.
ca() {
  key "$1.key"
  openssl req -x509 -new -key "$1.key" -sha256 -days 30 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$1.pem" 2> /dev/null
}

# leaf NAME CA SAN: NAME.pem/NAME.key for subjectAltName SAN, signed by CA.
leaf() {
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$1" -out "$1.csr" 2> /dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -sha256 -days 30 \
    -extfile "$1.ext" -out "$1.pem" 2> /dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca "wippy test CA"
ca rogue-ca "wippy untrusted CA"
leaf server ca "IP:127.0.0.1,DNS:localhost"
leaf untrusted rogue-ca "IP:127.0.0.1,DNS:localhost"
leaf wrongname ca "DNS:wrong.example"
openssl verify -CAfile ca.pem server.pem wrongname.pem > /dev/null
if openssl verify -CAfile ca.pem untrusted.pem > /dev/null 2>&1; then
  echo "http_certs.sh: untrusted.pem verifies against ca.pem" >&2; exit 1
fi
