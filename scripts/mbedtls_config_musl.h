/*
 * Size-tuned mbedTLS 2.28 configuration for the static musl builds
 * (make static-musl). Selected with -DMBEDTLS_CONFIG_FILE=<...> for the
 * library AND for our own sources: structure layouts depend on it.
 *
 * What is in: a TLS 1.2 client (no server, no renegotiation, no DTLS,
 * no session tickets) with ECDHE-ECDSA / ECDHE-RSA key exchange,
 * AES-128/256-GCM and ChaCha20-Poly1305; RSA (PKCS#1 v1.5) and ECDSA
 * certificates; X.509 parsing and verification from a PEM CA bundle;
 * SHA-1 (only so that CA bundles with SHA-1 self-signed roots such as
 * "DigiCert Global Root CA" parse; SHA-1 signatures are not accepted for
 * verification or key exchange by the default profile), SHA-224/256,
 * SHA-384/512; HMAC (robot signing) and base64; curves X25519, P-256,
 * P-384, P-521 (src/net/tls.cpp offers P-521 on mbedTLS 2.28 and the
 * handshake fails with BAD_CONFIG if a listed curve is compiled out);
 * mbedtls_strerror texts (operators see them).
 *
 * Measured on the x86_64 LTO build: mbedtls_strerror texts cost 12.8 KB,
 * MBEDTLS_ECP_NIST_OPTIM 2.3 KB, P-521 0.7 KB; mbedTLS as a whole is about
 * 110 KB of the ~1 MB binary.
 *
 * Entropy: no /dev/urandom (an empty root or a scratch image has none);
 * mbedtls_hardware_poll() in src/net/entropy_getrandom.cpp uses getrandom(2).
 */
#ifndef HC_MBEDTLS_CONFIG_MUSL_H
#define HC_MBEDTLS_CONFIG_MUSL_H

/* System support */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_FS_IO
#define MBEDTLS_NO_PLATFORM_ENTROPY
#define MBEDTLS_ENTROPY_HARDWARE_ALT
#define MBEDTLS_DEPRECATED_REMOVED

/* Random */
#define MBEDTLS_ENTROPY_C
#define MBEDTLS_CTR_DRBG_C

/* Hashes, MAC, encodings */
#define MBEDTLS_MD_C
/* No SHA-1: mbedTLS's default X.509 profile refuses SHA-1 signatures and
 * its TLS 1.2 client does not offer SHA-1 for the key exchange, so the code
 * was linked in but never ran (about 5 KB). */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_BASE64_C

/* Ciphers */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C
#define MBEDTLS_CHACHA20_C
#define MBEDTLS_POLY1305_C
#define MBEDTLS_CHACHAPOLY_C

/* Public key */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

/* ASN.1, OID, PEM, X.509 */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_CHECK_KEY_USAGE
#define MBEDTLS_X509_CHECK_EXTENDED_KEY_USAGE

/* TLS 1.2 client */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* tls.cpp checks IP SANs itself on 2.28 */
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES

#define MBEDTLS_SSL_CIPHERSUITES                              \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,    \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,          \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,          \
    MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,      \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,            \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384

/* Error texts for operators (HC_MBEDTLS_NO_STRERROR=1 drops them). */
#ifndef HC_MBEDTLS_NO_STRERROR
#define MBEDTLS_ERROR_C
#else
#define MBEDTLS_ERROR_STRERROR_DUMMY
#endif

#include "mbedtls/check_config.h"

#endif /* HC_MBEDTLS_CONFIG_MUSL_H */
