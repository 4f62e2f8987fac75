#!/bin/sh
# Generates the certificates and keys the TLS tests use.
#
#   utils/gen-test-certs.sh [DIR]        (default: tests/tls)
#
# Creates in DIR:
#   ca.crt ca.key                 test CA
#   keyport.crt keyport.key       generic certificate (serverAuth + clientAuth)
#   server.crt server.key         server-only certificate (serverAuth)
#   client.crt client.key         client-only certificate (clientAuth), CN "alice",
#                                 SAN URI "urn:keyport:user:alice"
#   keyport-enc.key               keyport.key encrypted (AES-256); password in key-pass.txt
#   expired.crt expired.key       expired in 2020
#   future.crt future.key         not valid before 2090
#   soon.crt soon.key             expires in 10 days (expiry warning)
#   other-ca.crt other-ca.key     a second, unrelated CA
#   other.crt other.key           signed by other-ca (CN "alice"; serverAuth + clientAuth)
#   dh.pem                        DH parameters (RFC 7919 ffdhe2048)
# Every certificate is valid for localhost, 127.0.0.1 and ::1. Keys are ECDSA
# P-256 (fast); KEY_TYPE=rsa gives RSA 2048. Existing files are kept unless one
# is missing, soon.crt is about to expire, or FORCE=1 (then all are remade).
# Generated keys are never committed (.gitignore).
set -eu

DIR=${1:-tests/tls}
KEY_TYPE=${KEY_TYPE:-ec}
DAYS=${DAYS:-3650}

mkdir -p "$DIR"
if [ "${FORCE:-0}" != 1 ] && [ -f "$DIR/dh.pem" ] && [ -f "$DIR/other.crt" ] &&
    [ -f "$DIR/keyport-enc.key" ] && [ -f "$DIR/expired.crt" ] && [ -f "$DIR/future.crt" ] &&
    openssl x509 -checkend 86400 -noout -in "$DIR/ca.crt" >/dev/null 2>&1 &&
    openssl x509 -checkend 172800 -noout -in "$DIR/soon.crt" >/dev/null 2>&1; then
    exit 0
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

genkey() {
    case "$KEY_TYPE" in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
    *) echo "gen-test-certs: KEY_TYPE must be ec or rsa" >&2; exit 1 ;;
    esac
    chmod 600 "$1"
}

# mkca NAME CN
mkca() {
    genkey "$DIR/$1.key"
    openssl req -x509 -new -sha256 -key "$DIR/$1.key" -days "$DAYS" -subj "/O=keyport test/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$DIR/$1.crt"
}

# extfile USAGE [EXTRA]   writes the extensions of a leaf certificate
extfile() {
    {
        echo "basicConstraints=CA:FALSE"
        echo "keyUsage=critical,digitalSignature,keyEncipherment"
        echo "extendedKeyUsage=$1"
        echo "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1${2:-}"
    } >"$TMP/ext.cnf"
}

# leaf NAME CN USAGE CA [SAN-EXTRA]
leaf() {
    genkey "$DIR/$1.key"
    openssl req -new -sha256 -key "$DIR/$1.key" -subj "/O=keyport test/CN=$2" -out "$TMP/$1.csr"
    extfile "$3" "${5:-}"
    openssl x509 -req -sha256 -in "$TMP/$1.csr" -CA "$DIR/$4.crt" -CAkey "$DIR/$4.key" \
        -CAcreateserial -CAserial "$TMP/$4.srl" -days "$DAYS" -extfile "$TMP/ext.cnf" \
        -out "$DIR/$1.crt" 2>/dev/null
}

# dated NAME CN START END   (dates as YYYYMMDDHHMMSSZ; needs `openssl ca`)
dated() {
    genkey "$DIR/$1.key"
    openssl req -new -sha256 -key "$DIR/$1.key" -subj "/O=keyport test/CN=$2" -out "$TMP/$1.csr"
    extfile "serverAuth,clientAuth"
    mkdir -p "$TMP/ca"
    : >"$TMP/ca/index.txt"
    [ -f "$TMP/ca/serial" ] || echo 1000 >"$TMP/ca/serial"
    cat >"$TMP/ca.cnf" <<CNF
[ca]
default_ca = test_ca
[test_ca]
dir = $TMP/ca
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = any
unique_subject = no
[any]
organizationName = optional
commonName = supplied
CNF
    openssl ca -batch -notext -config "$TMP/ca.cnf" -cert "$DIR/ca.crt" -keyfile "$DIR/ca.key" \
        -startdate "$3" -enddate "$4" -extfile "$TMP/ext.cnf" -in "$TMP/$1.csr" \
        -out "$DIR/$1.crt" 2>/dev/null
}

mkca ca "keyport test CA"
leaf keyport "keyport generic" "serverAuth,clientAuth" ca
leaf server "keyport server" "serverAuth" ca
leaf client "alice" "clientAuth" ca ",URI:urn:keyport:user:alice"
mkca other-ca "unrelated test CA"
leaf other "alice" "serverAuth,clientAuth" other-ca

echo "keyport-test-password" >"$DIR/key-pass.txt"
openssl pkcs8 -topk8 -v2 aes-256-cbc -in "$DIR/keyport.key" -out "$DIR/keyport-enc.key" \
    -passout "file:$DIR/key-pass.txt"
chmod 600 "$DIR/keyport-enc.key"

dated expired "keyport expired" 20200101000000Z 20200102000000Z
dated future "keyport future" 20900101000000Z 20910101000000Z
soon_end=$(date -u -d "+10 days" +%Y%m%d%H%M%SZ)
soon_start=$(date -u -d "-1 day" +%Y%m%d%H%M%SZ)
dated soon "keyport soon" "$soon_start" "$soon_end"

openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$DIR/dh.pem" 2>/dev/null
