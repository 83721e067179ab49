#include "net/tls.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509_crt.h>
#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#include <psa/crypto.h>
#endif
#include <unistd.h>

#include <cstdlib>

#include "net/address.hpp"

namespace hc::net {

namespace {

std::string mbed_error(int code) {
    char buf[160];
    mbedtls_strerror(code, buf, sizeof buf);
    return std::string(buf);
}

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
        // SNI must not carry an IP literal (RFC 6066 section 3).
        bool is_ip = parse_ip_literal(host_, 0).has_value();
        if (!is_ip || config_->verify()) {
            rc = mbedtls_ssl_set_hostname(&ssl_, host_.c_str());
            if (rc != 0) return err("tls hostname: " + mbed_error(rc));
        }
        mbedtls_ssl_set_bio(&ssl_, this, bio_send, bio_recv, nullptr);
        return ok_status();
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
