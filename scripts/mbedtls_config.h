/*
 * mbedTLS 3.6 configuration for every build that compiles mbedTLS from
 * Debian's source package: the default glibc build, the unit tests, the
 * sanitizer and fuzz builds (scripts/mbedtls.sh host) and the static musl
 * builds (scripts/build-musl.sh). It is installed as mbedtls/mbedtls_config.h
 * in the cached header tree, so the library and our sources always see the
 * same structure layouts without a -DMBEDTLS_CONFIG_FILE on every compile.
 * Changing this file rebuilds the cached libraries (their stamp hashes it).
 *
 * What is in: a TLS 1.2 and TLS 1.3 client (no server, no renegotiation, no
 * DTLS, no session tickets: a TLS 1.3 server's NewSessionTicket is ignored),
 * ECDHE-ECDSA / ECDHE-RSA key exchange (TLS 1.3: ephemeral ECDHE only),
 * AES-128/256-GCM (TLS 1.3's mandatory suite; every TLS 1.2 server has it
 * too); RSA (PKCS#1 v1.5, and PSS, which TLS 1.3 requires for RSA
 * certificates) and ECDSA certificates; X.509 parsing and verification from
 * a PEM CA bundle; SHA-256, SHA-384/512 (no SHA-1: the default X.509 profile
 * refuses SHA-1 signatures and neither TLS version offers it; a CA bundle's
 * SHA-1 self-signed root is skipped when the bundle is parsed, which is
 * harmless); HMAC (robot signing) and base64; groups X25519, P-256, P-384,
 * P-521; PSA crypto, limited to what TLS 1.3 runs on it
 * (scripts/mbedtls_psa_config.h; psa_crypto_init() is called in
 * src/net/tls.cpp); mbedtls_strerror texts (operators see them).
 *
 * Left out for size (the x86_64 musl binary has an 800 KB target; TLS 1.3
 * and PSA cost about 55 KB): ChaCha20-Poly1305 (4.6 KB; AES-GCM is the
 * suite every server offers), SHA-224, PSA mechanisms TLS 1.3 does not use
 * (5 KB). MBEDTLS_USE_PSA_CRYPTO would add 12 KB.
 *
 * TLS 1.0 and 1.1 do not exist in mbedTLS 3; src/net/tls.cpp also sets
 * TLS 1.2 as the minimum for builds against a system mbedTLS 2.28.
 *
 * Entropy: no /dev/urandom (an empty root or a scratch image has none);
 * mbedtls_hardware_poll() in src/net/entropy_getrandom.cpp uses getrandom(2)
 * for the legacy RNG and PSA alike.
 */
#ifndef HC_MBEDTLS_CONFIG_H
#define HC_MBEDTLS_CONFIG_H

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

/* Hashes, MAC, KDF, encodings */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C
#define MBEDTLS_HKDF_C /* TLS 1.3 key schedule (PSA HKDF) */
#define MBEDTLS_BASE64_C

/* Ciphers */
#define MBEDTLS_CIPHER_C
#define MBEDTLS_AES_C
#define MBEDTLS_GCM_C

/* Public key */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21
#define MBEDTLS_ECP_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
/* X25519 on Everest's verified, constant-time HACL* code (3rdparty/everest,
 * compiled by scripts/mbedtls.sh and build-musl.sh) instead of the generic
 * bignum ladder; scripts/mbedtls-patches/x25519-hacl.patch routes every
 * Curve25519 multiplication there (PSA's key share export too). The TLS 1.3
 * handshake: 29.2 M -> 15.9 M instructions (docs/BENCHMARKS.md); +16 KB musl. */
#define MBEDTLS_ECDH_VARIANT_EVEREST_ENABLED
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C

/* PSA crypto: the TLS 1.3 code uses it; its mechanisms are listed in
 * psa/crypto_config.h (our scripts/mbedtls_psa_config.h). */
#define MBEDTLS_PSA_CRYPTO_C
#define MBEDTLS_PSA_CRYPTO_CONFIG

/* ASN.1, OID, PEM, X.509 */
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_X509_RSASSA_PSS_SUPPORT /* rsa_pss_rsae: how TLS 1.3 servers sign with RSA keys */

/* TLS 1.2 + 1.3 client */
#define MBEDTLS_SSL_TLS_C
#define MBEDTLS_SSL_CLI_C
#define MBEDTLS_SSL_PROTO_TLS1_2
#define MBEDTLS_SSL_PROTO_TLS1_3
#define MBEDTLS_SSL_TLS1_3_COMPATIBILITY_MODE /* middleboxes that expect TLS 1.2 framing */
#define MBEDTLS_SSL_TLS1_3_KEY_EXCHANGE_MODE_EPHEMERAL_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_ECDSA_ENABLED
#define MBEDTLS_KEY_EXCHANGE_ECDHE_RSA_ENABLED
#define MBEDTLS_SSL_SERVER_NAME_INDICATION
#define MBEDTLS_SSL_EXTENDED_MASTER_SECRET
#define MBEDTLS_SSL_KEEP_PEER_CERTIFICATE /* TLS 1.3 needs it; tls.cpp reads the IP SANs */
#define MBEDTLS_SSL_ALL_ALERT_MESSAGES
#define MBEDTLS_SSL_ALPN /* grpcs:// probes offer "h2" (gRPC servers require ALPN) */

#define MBEDTLS_SSL_CIPHERSUITES                              \
    MBEDTLS_TLS1_3_AES_128_GCM_SHA256,                        \
    MBEDTLS_TLS1_3_AES_256_GCM_SHA384,                        \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,          \
    MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,          \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,            \
    MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384

/* Error texts for operators (HC_MBEDTLS_NO_STRERROR=1 drops them). */
#ifndef HC_MBEDTLS_NO_STRERROR
#define MBEDTLS_ERROR_C
#else
#define MBEDTLS_ERROR_STRERROR_DUMMY
#endif

#endif /* HC_MBEDTLS_CONFIG_H */
