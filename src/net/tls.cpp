#include "net/tls.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/x509_crt.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#include <psa/crypto.h>
#endif
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "net/address.hpp"

namespace hc::net {

namespace {

std::string mbed_error(int code) {
    char buf[160];
    mbedtls_strerror(code, buf, sizeof buf);
    return std::string(buf);
}

#if MBEDTLS_VERSION_NUMBER < 0x03000000
// Walks Extensions -> subjectAltName -> GeneralNames for an iPAddress [7]
// equal to `ip` (4 or 16 raw bytes). Bounded by the DER lengths.
bool san_has_ip(const mbedtls_x509_buf& v3_ext, const std::string& ip) {
    unsigned char* p = v3_ext.p;
    const unsigned char* end = v3_ext.p + v3_ext.len;
    size_t len = 0;
    if (!p || mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) return false;
    end = p + len;
    while (p < end) {
        if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0) return false;
        const unsigned char* ext_end = p + len;
        mbedtls_x509_buf oid{};
        if (mbedtls_asn1_get_tag(&p, ext_end, &oid.len, MBEDTLS_ASN1_OID) != 0) return false;
        oid.p = p;
        p += oid.len;
        bool is_san = MBEDTLS_OID_CMP(MBEDTLS_OID_SUBJECT_ALT_NAME, &oid) == 0;
        int critical = 0;
        mbedtls_asn1_get_bool(&p, ext_end, &critical);  // optional
        if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING) != 0) return false;
        if (is_san) {
            const unsigned char* names_end = p + len;
            if (mbedtls_asn1_get_tag(&p, names_end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0)
                return false;
            while (p < names_end) {
                unsigned char tag = *p++;
                if (mbedtls_asn1_get_len(&p, names_end, &len) != 0) return false;
                if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) && len == ip.size() && std::memcmp(p, ip.data(), len) == 0)
                    return true;
                p += len;
            }
            return false;
        }
        p = const_cast<unsigned char*>(ext_end);
    }
    return false;
}
#endif

}  // namespace

class TlsConfig {
public:
    TlsConfig() {
        mbedtls_entropy_init(&entropy_);
        mbedtls_ctr_drbg_init(&drbg_);
        mbedtls_x509_crt_init(&ca_);
        mbedtls_ssl_config_init(&conf_);
    }
    ~TlsConfig() {
        mbedtls_ssl_config_free(&conf_);
        mbedtls_x509_crt_free(&ca_);
        mbedtls_ctr_drbg_free(&drbg_);
        mbedtls_entropy_free(&entropy_);
    }
    TlsConfig(const TlsConfig&) = delete;
    TlsConfig& operator=(const TlsConfig&) = delete;

    Status init(const TlsOptions& options) {
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
        if (psa_crypto_init() != PSA_SUCCESS) return err("tls: psa_crypto_init failed");
#endif
        static const unsigned char personal[] = "healthcheck";
        int rc = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_, personal, sizeof personal - 1);
        if (rc != 0) return err("tls: cannot seed random generator: " + mbed_error(rc));
        rc = mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT);
        if (rc != 0) return err("tls: config: " + mbed_error(rc));
        mbedtls_ssl_conf_rng(&conf_, mbedtls_ctr_drbg_random, &drbg_);
        prefer_fast_curves();
        verify_ = options.verify;
        if (!verify_) {
            mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_NONE);
            return ok_status();
        }
        auto path = find_ca_bundle(options.cafile);
        if (!path) return err(path.error());
        rc = mbedtls_x509_crt_parse_file(&ca_, path->c_str());
        if (rc < 0) return err("tls: cannot load CA bundle " + *path + ": " + mbed_error(rc));
        mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_REQUIRED);
        mbedtls_ssl_conf_ca_chain(&conf_, &ca_, nullptr);
        return ok_status();
    }

    const mbedtls_ssl_config* conf() const { return &conf_; }

    // mbedTLS offers its strongest curve first and servers follow the
    // client's order, which makes P-521 handshakes 2-3x slower than needed.
    void prefer_fast_curves() {
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
        static const uint16_t groups[] = {
#ifdef MBEDTLS_ECP_DP_CURVE25519_ENABLED
            MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
#endif
            MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1, 0};
        mbedtls_ssl_conf_groups(&conf_, groups);
#else
        static const mbedtls_ecp_group_id curves[] = {
#ifdef MBEDTLS_ECP_DP_CURVE25519_ENABLED
            MBEDTLS_ECP_DP_CURVE25519,
#endif
            MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_SECP521R1, MBEDTLS_ECP_DP_NONE};
        mbedtls_ssl_conf_curves(&conf_, curves);
#endif
    }
    bool verify() const { return verify_; }

private:
    mbedtls_entropy_context entropy_;
    mbedtls_ctr_drbg_context drbg_;
    mbedtls_x509_crt ca_;
    mbedtls_ssl_config conf_;
    bool verify_ = false;
};

namespace {

class TlsTransport final : public Transport {
public:
    TlsTransport(std::unique_ptr<Transport> tcp, std::shared_ptr<TlsConfig> config, std::string host)
        : tcp_(std::move(tcp)), config_(std::move(config)), host_(std::move(host)) {
        mbedtls_ssl_init(&ssl_);
    }
    ~TlsTransport() override { mbedtls_ssl_free(&ssl_); }

    int fd() const override { return tcp_->fd(); }
    bool connected() const override { return tcp_->connected(); }

    IoResult establish() override {
        if (state_ == State::Ready) return IoResult::done();
        if (state_ == State::Tcp) {
            auto r = tcp_->establish();
            if (r.state != Io::Done) return r;
            if (auto st = setup(); !st) return IoResult::failed(st.error());
            state_ = State::Handshake;
        }
        int rc = mbedtls_ssl_handshake(&ssl_);
        if (rc == 0) {
            if (auto st = check_ip_san(); !st) return IoResult::failed(st.error());
            state_ = State::Ready;
            return IoResult::done();
        }
        return translate(rc, "tls handshake with " + host_);
    }

    IoResult read(char* buf, size_t len) override {
        for (;;) {
            int rc = mbedtls_ssl_read(&ssl_, reinterpret_cast<unsigned char*>(buf), len);
            if (rc > 0) return IoResult::done(static_cast<size_t>(rc));
            if (rc == 0 || rc == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY) return IoResult::eof();
#ifdef MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET
            if (rc == MBEDTLS_ERR_SSL_RECEIVED_NEW_SESSION_TICKET) continue;
#endif
            return translate(rc, "tls read from " + host_);
        }
    }

    IoResult write(const char* buf, size_t len) override {
        int rc = mbedtls_ssl_write(&ssl_, reinterpret_cast<const unsigned char*>(buf), len);
        if (rc >= 0) return IoResult::done(static_cast<size_t>(rc));
        return translate(rc, "tls write to " + host_);
    }

private:
    enum class State { Tcp, Handshake, Ready };

    Status setup() {
        int rc = mbedtls_ssl_setup(&ssl_, config_->conf());
        if (rc != 0) return err("tls setup: " + mbed_error(rc));
        // SNI must not carry an IP literal (RFC 6066 section 3). mbedTLS 3
        // matches IP SANs itself; for 2.28 check_ip_san() does it.
        bool is_ip = parse_ip_literal(host_, 0).has_value();
        bool set_name = !is_ip || (config_->verify() && MBEDTLS_VERSION_NUMBER >= 0x03000000);
        if (set_name) {
            rc = mbedtls_ssl_set_hostname(&ssl_, host_.c_str());
            if (rc != 0) return err("tls hostname: " + mbed_error(rc));
        }
        mbedtls_ssl_set_bio(&ssl_, this, bio_send, bio_recv, nullptr);
        return ok_status();
    }

    // mbedTLS 2.28 does not match iPAddress subjectAltNames, so a verified
    // connection to an IP literal is checked here against the raw extension.
    Status check_ip_san() {
#if MBEDTLS_VERSION_NUMBER < 0x03000000
        auto ip = parse_ip_literal(host_, 0);
        if (!ip || !config_->verify()) return ok_status();
        const mbedtls_x509_crt* crt = mbedtls_ssl_get_peer_cert(&ssl_);
        std::string want = ip->family() == AF_INET
            ? std::string(reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in*>(&ip->storage)->sin_addr), 4)
            : std::string(reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in6*>(&ip->storage)->sin6_addr), 16);
        if (crt && san_has_ip(crt->v3_ext, want)) return ok_status();
        return err("tls handshake with " + host_ + ": certificate verification failed: no subjectAltName IP address matches " + host_);
#else
        return ok_status();
#endif
    }

    IoResult translate(int rc, const std::string& what) {
        if (rc == MBEDTLS_ERR_SSL_WANT_READ) return IoResult::want_read();
        if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return IoResult::want_write();
        if (!io_error_.empty()) return IoResult::failed(io_error_);
        if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
            char info[256] = {0};
            mbedtls_x509_crt_verify_info(info, sizeof info, "", mbedtls_ssl_get_verify_result(&ssl_));
            std::string reason(info);
            while (!reason.empty() && reason.back() == '\n') reason.pop_back();
            for (auto& c : reason)
                if (c == '\n') c = ';';
            return IoResult::failed(what + ": certificate verification failed: " + reason);
        }
        if (rc == MBEDTLS_ERR_NET_CONN_RESET && peer_eof_) return IoResult::eof();
        return IoResult::failed(what + ": " + mbed_error(rc));
    }

    static int bio_send(void* ctx, const unsigned char* buf, size_t len) {
        auto* self = static_cast<TlsTransport*>(ctx);
        auto r = self->tcp_->write(reinterpret_cast<const char*>(buf), len);
        switch (r.state) {
            case Io::Done: return static_cast<int>(r.bytes);
            case Io::WantRead:
            case Io::WantWrite: return MBEDTLS_ERR_SSL_WANT_WRITE;
            default: self->io_error_ = r.error.empty() ? "connection closed" : r.error;
                return MBEDTLS_ERR_NET_SEND_FAILED;
        }
    }

    static int bio_recv(void* ctx, unsigned char* buf, size_t len) {
        auto* self = static_cast<TlsTransport*>(ctx);
        auto r = self->tcp_->read(reinterpret_cast<char*>(buf), len);
        switch (r.state) {
            case Io::Done: return static_cast<int>(r.bytes);
            case Io::WantRead:
            case Io::WantWrite: return MBEDTLS_ERR_SSL_WANT_READ;
            case Io::Eof:
                // A peer that closes without close_notify: the caller decides
                // whether the data so far is complete (Content-Length, chunks).
                self->peer_eof_ = true;
                return MBEDTLS_ERR_NET_CONN_RESET;
            default: self->io_error_ = r.error;
                return MBEDTLS_ERR_NET_RECV_FAILED;
        }
    }

    std::unique_ptr<Transport> tcp_;
    std::shared_ptr<TlsConfig> config_;
    std::string host_;
    mbedtls_ssl_context ssl_;
    State state_ = State::Tcp;
    std::string io_error_;
    bool peer_eof_ = false;
};

}  // namespace

Result<std::string> find_ca_bundle(const std::string& explicit_file) {
    if (!explicit_file.empty()) {
        if (::access(explicit_file.c_str(), R_OK) != 0) return err("tls: cannot read CA file " + explicit_file);
        return explicit_file;
    }
    if (const char* env = std::getenv("SSL_CERT_FILE"); env && *env) {
        if (::access(env, R_OK) != 0) return err(std::string("tls: cannot read SSL_CERT_FILE ") + env);
        return std::string(env);
    }
    static const char* const paths[] = {
        "/etc/ssl/certs/ca-certificates.crt",  // Debian, Ubuntu, Alpine
        "/etc/pki/tls/certs/ca-bundle.crt",    // Fedora, RHEL
        "/etc/ssl/ca-bundle.pem",              // openSUSE
        "/etc/ssl/cert.pem",                   // Alpine, BSDs
    };
    for (const char* p : paths)
        if (::access(p, R_OK) == 0) return std::string(p);
    return err("tls: no CA bundle found (set SSL_CERT_FILE, pass --cacert FILE, or --insecure)");
}

Result<std::shared_ptr<TlsConfig>> make_tls_config(const TlsOptions& options) {
    auto config = std::make_shared<TlsConfig>();
    if (auto st = config->init(options); !st) return err(st.error());
    return config;
}

std::unique_ptr<Transport> tls_wrap(std::unique_ptr<Transport> tcp, std::shared_ptr<TlsConfig> config,
                                    const std::string& host) {
    return std::make_unique<TlsTransport>(std::move(tcp), std::move(config), host);
}

}  // namespace hc::net
