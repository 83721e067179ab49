#include "net/tls.hpp"

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/ssl.h>
#include <mbedtls/version.h>
#include <mbedtls/x509.h>
#include <mbedtls/x509_crt.h>
#if MBEDTLS_VERSION_MAJOR >= 3
#include <psa/crypto.h>
#endif
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <optional>

#include "net/address.hpp"
#include "util/file.hpp"

// mbedTLS 3 renamed the "server chose a version outside min/max" code and
// made the context's fields private (peer_alert() reads three of them).
#ifdef MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION
#define HC_ERR_SSL_BAD_VERSION MBEDTLS_ERR_SSL_BAD_PROTOCOL_VERSION
#else
#define HC_ERR_SSL_BAD_VERSION MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION
#endif
#if MBEDTLS_VERSION_MAJOR >= 3
#define HC_SSL_FIELD(f) MBEDTLS_PRIVATE(f)
#else
#define HC_SSL_FIELD(f) f
#endif

namespace hc::net {

namespace {

std::string mbed_error(int code) {
    char buf[160];
    mbedtls_strerror(code, buf, sizeof buf);
    return std::string(buf);
}

// The raw bytes of an IP literal host (4 or 16), or nothing for a name.
std::optional<std::string> ip_bytes(const std::string& host) {
    auto ip = parse_ip_literal(host, 0);
    if (!ip) return std::nullopt;
    if (ip->family() == AF_INET)
        return std::string(reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in*>(&ip->storage)->sin_addr),
                           4);
    return std::string(reinterpret_cast<const char*>(&reinterpret_cast<const sockaddr_in6*>(&ip->storage)->sin6_addr),
                       16);
}

// True when the certificate has an iPAddress subjectAltName equal to `ip`.
// Only that counts for an IP literal URL (RFC 6125 section 6.2.1 / RFC 9110
// 4.3.5): not a dNSName or a CN spelling the address. subject_alt_names is
// public and holds every GeneralName with its raw tag in 2.28 and 3.x.
bool san_has_ip(const mbedtls_x509_crt& crt, const std::string& ip) {
    for (const mbedtls_x509_sequence* cur = &crt.subject_alt_names; cur != nullptr; cur = cur->next) {
        const mbedtls_x509_buf& name = cur->buf;
        if (name.p == nullptr) continue;
        bool is_ip = (name.tag & MBEDTLS_ASN1_TAG_CLASS_MASK) == MBEDTLS_ASN1_CONTEXT_SPECIFIC &&
                     (name.tag & MBEDTLS_ASN1_TAG_VALUE_MASK) == MBEDTLS_X509_SAN_IP_ADDRESS;
        if (is_ip && name.len == ip.size() && std::memcmp(name.p, ip.data(), ip.size()) == 0) return true;
    }
    return false;
}

}  // namespace

class TlsConfig {
public:
    TlsConfig() {
        mbedtls_entropy_init(&entropy_);
        mbedtls_ctr_drbg_init(&drbg_);
        mbedtls_x509_crt_init(&ca_);
        mbedtls_x509_crt_init(&own_cert_);
        mbedtls_pk_init(&own_key_);
        mbedtls_ssl_config_init(&conf_);
    }
    ~TlsConfig() {
        mbedtls_ssl_config_free(&conf_);
        mbedtls_pk_free(&own_key_);
        mbedtls_x509_crt_free(&own_cert_);
        mbedtls_x509_crt_free(&ca_);
        mbedtls_ctr_drbg_free(&drbg_);
        mbedtls_entropy_free(&entropy_);
    }
    TlsConfig(const TlsConfig&) = delete;
    TlsConfig& operator=(const TlsConfig&) = delete;

    Status init(const TlsOptions& options) {
#if MBEDTLS_VERSION_MAJOR >= 3
        // TLS 1.3 (and X.509 with PSA) run on PSA crypto; idempotent.
        if (psa_crypto_init() != PSA_SUCCESS) return err("tls: psa_crypto_init failed", ErrorKind::Tls);
#endif
        static const unsigned char personal[] = "healthcheck";
        int rc = mbedtls_ctr_drbg_seed(&drbg_, mbedtls_entropy_func, &entropy_, personal, sizeof personal - 1);
        if (rc != 0) return err("tls: cannot seed random generator: " + mbed_error(rc), ErrorKind::Tls);
        rc = mbedtls_ssl_config_defaults(&conf_, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
                                         MBEDTLS_SSL_PRESET_DEFAULT);
        if (rc != 0) return err("tls: config: " + mbed_error(rc), ErrorKind::Tls);
        mbedtls_ssl_conf_rng(&conf_, mbedtls_ctr_drbg_random, &drbg_);
        if (auto st = offer_alpn(options.alpn); !st) return st;
        require_tls12();
        prefer_fast_curves();
        if (auto st = load_client_cert(options); !st) return st;
        verify_ = options.verify;
        if (!verify_) {
            mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_NONE);
            return ok_status();
        }
        auto path = find_ca_bundle(options.cafile);
        if (!path) return path.failure();
        rc = mbedtls_x509_crt_parse_file(&ca_, path->c_str());
        if (rc < 0) return err("tls: cannot load CA bundle " + *path + ": " + mbed_error(rc), ErrorKind::Config);
        mbedtls_ssl_conf_authmode(&conf_, MBEDTLS_SSL_VERIFY_REQUIRED);
        mbedtls_ssl_conf_ca_chain(&conf_, &ca_, nullptr);
        return ok_status();
    }

    const mbedtls_ssl_config* conf() const { return &conf_; }

    // The client certificate and key for servers that ask for one. The key
    // file's bytes are wiped after parsing; no message quotes them.
    Status load_client_cert(const TlsOptions& o) {
        if (o.certfile.empty() && o.keyfile.empty()) return ok_status();
        if (o.certfile.empty() || o.keyfile.empty())
            return err("tls: a client certificate needs both --cert and --key", ErrorKind::Config);
        int rc = mbedtls_x509_crt_parse_file(&own_cert_, o.certfile.c_str());
        if (rc > 0) return err("tls: cannot parse client certificate " + o.certfile, ErrorKind::Config);
        if (rc < 0)
            return err("tls: cannot load client certificate " + o.certfile + ": " + mbed_error(rc), ErrorKind::Config);
        if (auto st = load_key(o.keyfile); !st) return st;
        rc = check_pair();
        if (rc != 0)
            return err("tls: client key " + o.keyfile + " does not match certificate " + o.certfile, ErrorKind::Config);
        rc = mbedtls_ssl_conf_own_cert(&conf_, &own_cert_, &own_key_);
        if (rc != 0) return err("tls: client certificate: " + mbed_error(rc), ErrorKind::Config);
        has_client_cert_ = true;
        return ok_status();
    }

    Status load_key(const std::string& path) {
        auto text = read_file(path, 1 << 20, ReadOptions{false, true});
        if (!text) return err("tls: cannot read client key " + text.error(), ErrorKind::Config);
        std::string& key = *text;
        // PKCS#8 "ENCRYPTED PRIVATE KEY" and OpenSSL's "Proc-Type: 4,ENCRYPTED":
        // this build has no ciphers for them, and no prompt to ask with.
        bool encrypted = key.find("ENCRYPTED PRIVATE KEY") != std::string::npos ||
                         key.find("Proc-Type: 4,ENCRYPTED") != std::string::npos;
        int rc = encrypted ? 0 : parse_key(key);
        mbedtls_platform_zeroize(key.data(), key.size());
        if (encrypted || rc == MBEDTLS_ERR_PK_PASSWORD_REQUIRED || rc == MBEDTLS_ERR_PK_PASSWORD_MISMATCH)
            return err("tls: client key " + path +
                           " is encrypted; give an unencrypted key (openssl pkey -in KEY -out PLAIN_KEY)",
                       ErrorKind::Config);
        if (rc != 0) return err("tls: cannot parse client key " + path + ": " + mbed_error(rc), ErrorKind::Config);
        return ok_status();
    }

    // PEM needs its terminating NUL counted; DER is taken as it is.
    int parse_key(const std::string& key) {
        const auto* p = reinterpret_cast<const unsigned char*>(key.c_str());
        size_t len = key.find("-----BEGIN") != std::string::npos ? key.size() + 1 : key.size();
#if MBEDTLS_VERSION_MAJOR >= 3
        return mbedtls_pk_parse_key(&own_key_, p, len, nullptr, 0, mbedtls_ctr_drbg_random, &drbg_);
#else
        return mbedtls_pk_parse_key(&own_key_, p, len, nullptr, 0);
#endif
    }

    int check_pair() {
#if MBEDTLS_VERSION_MAJOR >= 3
        return mbedtls_pk_check_pair(&own_cert_.pk, &own_key_, mbedtls_ctr_drbg_random, &drbg_);
#else
        return mbedtls_pk_check_pair(&own_cert_.pk, &own_key_);
#endif
    }

    // TLS 1.0 and 1.1 (RFC 8996) are refused in every build, verified or
    // not: 2.28 with its default config still accepts them. mbedTLS 3 has
    // no TLS 1.0/1.1 code, and 1.2 is its floor; set anyway so the rule is
    // here, not in a config.
    void require_tls12() {
#if MBEDTLS_VERSION_NUMBER >= 0x03010000
        mbedtls_ssl_conf_min_tls_version(&conf_, MBEDTLS_SSL_VERSION_TLS1_2);
#else
        mbedtls_ssl_conf_min_version(&conf_, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
#endif
    }

    // mbedTLS offers its strongest curve first and servers follow the
    // client's order, which makes P-521 handshakes 2-3x slower than needed.
    void prefer_fast_curves() {
#if MBEDTLS_VERSION_MAJOR >= 3
        static const uint16_t groups[] = {
#ifdef MBEDTLS_ECP_DP_CURVE25519_ENABLED
            MBEDTLS_SSL_IANA_TLS_GROUP_X25519,
#endif
            MBEDTLS_SSL_IANA_TLS_GROUP_SECP256R1, MBEDTLS_SSL_IANA_TLS_GROUP_SECP384R1,
#ifdef MBEDTLS_ECP_DP_SECP521R1_ENABLED
            MBEDTLS_SSL_IANA_TLS_GROUP_SECP521R1,
#endif
            0};
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
    bool has_client_cert() const { return has_client_cert_; }

    // mbedTLS keeps the pointers: the names live as long as the config.
    Status offer_alpn(const std::vector<std::string>& protocols) {
        if (protocols.empty()) return ok_status();
#ifdef MBEDTLS_SSL_ALPN
        alpn_names_ = protocols;
        for (const auto& p : alpn_names_) alpn_list_.push_back(p.c_str());
        alpn_list_.push_back(nullptr);
        int rc = mbedtls_ssl_conf_alpn_protocols(&conf_, alpn_list_.data());
        if (rc != 0) return err("tls: ALPN: " + mbed_error(rc), ErrorKind::Config);
        return ok_status();
#else
        return err("tls: this build's mbedTLS has no ALPN (MBEDTLS_SSL_ALPN)", ErrorKind::Config);
#endif
    }

private:
    mbedtls_entropy_context entropy_;
    mbedtls_ctr_drbg_context drbg_;
    mbedtls_x509_crt ca_;
    mbedtls_x509_crt own_cert_;
    mbedtls_pk_context own_key_;
    mbedtls_ssl_config conf_;
    bool verify_ = false;
    bool has_client_cert_ = false;
    std::vector<std::string> alpn_names_;
    std::vector<const char*> alpn_list_;
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

    bool tls13() const {
#if MBEDTLS_VERSION_NUMBER >= 0x03010000 && defined(MBEDTLS_SSL_PROTO_TLS1_3)
        return state_ == State::Ready && mbedtls_ssl_get_version_number(&ssl_) == MBEDTLS_SSL_VERSION_TLS1_3;
#else
        return false;
#endif
    }
    // Bytes the server has sent so far: a session ticket that mbedTLS
    // consumes without a word still counts as the server's answer.
    size_t bytes_in() const { return bytes_in_; }
    // The server's certificate once the handshake is done, else null.
    const mbedtls_x509_crt* peer_cert() const {
#ifdef MBEDTLS_SSL_KEEP_PEER_CERTIFICATE
        return state_ == State::Ready ? mbedtls_ssl_get_peer_cert(&ssl_) : nullptr;
#else
        return nullptr;
#endif
    }

    IoResult establish() override {
        if (state_ == State::Ready) return IoResult::done();
        if (state_ == State::Tcp) {
            auto r = tcp_->establish();
            if (r.state != Io::Done) return r;
            if (auto st = setup(); !st) return IoResult::failed(st.failure());
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
        if (!io_error_.empty())
            if (auto words = pending_alert_words(); !words.empty())
                return IoResult::failed("tls write to " + host_ + ": " + words, ErrorKind::Tls);
        return translate(rc, "tls write to " + host_);
    }

    bool is_tls() const override { return true; }

    std::string alpn_protocol() const override {
#ifdef MBEDTLS_SSL_ALPN
        const char* p = mbedtls_ssl_get_alpn_protocol(&ssl_);
        return p ? p : "";
#else
        return "";
#endif
    }

private:
    enum class State { Tcp, Handshake, Ready };

    Status setup() {
        int rc = mbedtls_ssl_setup(&ssl_, config_->conf());
        if (rc != 0) return err("tls setup: " + mbed_error(rc), ErrorKind::Tls);
        // An IP literal is neither sent as SNI (RFC 6066 section 3) nor
        // handed to mbedTLS's name check: 3.6 would accept a dNSName or a CN
        // spelling "127.0.0.1". set_hostname(NULL) says so explicitly (from
        // 3.6.3 and 2.28.10 a verifying client that never calls it fails,
        // CVE-2025-27809); on_verify() then requires an iPAddress SAN.
        ip_ = ip_bytes(host_);
        rc = mbedtls_ssl_set_hostname(&ssl_, ip_ ? nullptr : host_.c_str());
        if (rc != 0) return err("tls hostname: " + mbed_error(rc), ErrorKind::Tls);
        if (ip_ && config_->verify()) mbedtls_ssl_set_verify(&ssl_, on_verify, this);
        mbedtls_ssl_set_bio(&ssl_, this, bio_send, bio_recv, nullptr);
        return ok_status();
    }

    // Called by mbedTLS for each certificate of the chain after its own
    // checks; at depth 0 (the server's) a missing IP SAN fails the
    // handshake, before anything is sent over the connection.
    static int on_verify(void* ctx, mbedtls_x509_crt* crt, int depth, uint32_t* flags) {
        auto* self = static_cast<TlsTransport*>(ctx);
        if (depth == 0 && self->ip_ && !san_has_ip(*crt, *self->ip_)) {
            self->ip_mismatch_ = true;
            *flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
        }
        return 0;
    }

    // The description byte of a fatal alert the peer just sent, or -1.
    // mbedTLS has no getter; the record is still in its input buffer.
    int peer_alert() const {
        const unsigned char* msg = ssl_.HC_SSL_FIELD(in_msg);
        if (msg == nullptr || ssl_.HC_SSL_FIELD(in_msgtype) != MBEDTLS_SSL_MSG_ALERT ||
            ssl_.HC_SSL_FIELD(in_msglen) != 2)
            return -1;
        return msg[1];
    }

    // A server that will not take our client certificate (or its absence)
    // says so with an alert: in TLS 1.2 during the handshake, in TLS 1.3
    // after it (the client finishes first).
    std::string client_cert_refusal(int rc) const {
        if (rc != MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) return "";
        return cert_alert_words(peer_alert());
    }

    static std::string cert_alert_words(int alert) {
        if (alert == 116)  // certificate_required (RFC 8446); no macro in 2.28
            return "the server requires a client certificate (alert certificate_required; see --cert/--key)";
        const char* name = alert == MBEDTLS_SSL_ALERT_MSG_BAD_CERT           ? "bad_certificate"
                           : alert == MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA       ? "unknown_ca"
                           : alert == MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED     ? "certificate_expired"
                           : alert == MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED     ? "certificate_revoked"
                           : alert == MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT ? "unsupported_certificate"
                           : alert == MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED    ? "access_denied"
                                                                             : nullptr;
        if (name == nullptr) return "";
        return std::string("the server refused the client certificate (alert ") + name + ")";
    }

    std::string handshake_failure_words() const {
        return std::string(
                   "the server refused the handshake (alert handshake_failure): no cipher suite, group or "
                   "signature algorithm in common") +
               (config_->has_client_cert() ? "" : ", or it requires a client certificate (see --cert/--key)");
    }

    // A TLS 1.2 server that refuses our (missing) client certificate sends a
    // fatal alert and closes while we still write our flight: the write
    // fails (EPIPE) with the alert unread. Its plaintext record says why.
    std::string unread_alert_words() {
        unsigned char b[7];
        size_t got = 0;
        while (got < sizeof b) {
            auto r = tcp_->read(reinterpret_cast<char*>(b) + got, sizeof b - got);
            if (r.state != Io::Done || r.bytes == 0) break;
            got += r.bytes;
        }
        if (got != sizeof b || b[0] != MBEDTLS_SSL_MSG_ALERT || b[3] != 0 || b[4] != 2 ||
            b[5] != MBEDTLS_SSL_ALERT_LEVEL_FATAL)
            return "";
        if (b[6] == MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE) return handshake_failure_words();
        return cert_alert_words(b[6]);
    }

    // A TLS 1.3 server refuses a (missing) client certificate only after
    // the handshake, with an encrypted alert, and closes: a request still
    // being written fails (EPIPE, reset) while the alert waits in the
    // receive queue, which the kernel keeps after a reset.
    std::string pending_alert_words() {
        unsigned char scratch[256];
        std::string write_error = std::move(io_error_);
        io_error_.clear();
        auto words = client_cert_refusal(mbedtls_ssl_read(&ssl_, scratch, sizeof scratch));
        io_error_ = std::move(write_error);
        return words;
    }

    // Plain words for the handshake failures an operator can act on.
    std::string handshake_refusal(int rc) const {
        if (rc == HC_ERR_SSL_BAD_VERSION) return "the server offered TLS 1.0 or 1.1; TLS 1.2 or newer is required";
        if (rc != MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE) return "";
        int alert = peer_alert();
        switch (alert) {
            case MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION:
                return "the server refused TLS 1.2 and 1.3 (alert protocol_version): it speaks only an older "
                       "version; TLS 1.2 or newer is required";
            case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE: return handshake_failure_words();
            case -1: return "";
            default: return "the server refused the handshake (TLS alert " + std::to_string(alert) + ")";
        }
    }

    IoResult translate(int rc, const std::string& what) {
        if (rc == MBEDTLS_ERR_SSL_WANT_READ) return IoResult::want_read();
        if (rc == MBEDTLS_ERR_SSL_WANT_WRITE) return IoResult::want_write();
        if (!io_error_.empty()) {
            if (state_ == State::Handshake)
                if (auto words = unread_alert_words(); !words.empty())
                    return IoResult::failed(what + ": " + words, ErrorKind::Tls);
            return IoResult::failed(io_error_, io_error_kind_);
        }
        if (rc == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED) {
            if (ip_mismatch_)
                return IoResult::failed(
                    what + ": certificate verification failed: no subjectAltName IP address matches " + host_,
                    ErrorKind::Tls);
            char info[256] = {0};
            mbedtls_x509_crt_verify_info(info, sizeof info, "", mbedtls_ssl_get_verify_result(&ssl_));
            std::string reason(info);
            while (!reason.empty() && reason.back() == '\n') reason.pop_back();
            for (auto& c : reason)
                if (c == '\n') c = ';';
            return IoResult::failed(what + ": certificate verification failed: " + reason, ErrorKind::Tls);
        }
        if (rc == MBEDTLS_ERR_NET_CONN_RESET && peer_eof_) return IoResult::eof();
        if (auto refused = client_cert_refusal(rc); !refused.empty())
            return IoResult::failed(what + ": " + refused, ErrorKind::Tls);
        if (state_ == State::Handshake) {
            if (auto plain = handshake_refusal(rc); !plain.empty())
                return IoResult::failed(what + ": " + plain, ErrorKind::Tls);
        }
        return IoResult::failed(what + ": " + mbed_error(rc), ErrorKind::Tls);
    }

    static int bio_send(void* ctx, const unsigned char* buf, size_t len) {
        auto* self = static_cast<TlsTransport*>(ctx);
        auto r = self->tcp_->write(reinterpret_cast<const char*>(buf), len);
        switch (r.state) {
            case Io::Done: return static_cast<int>(r.bytes);
            case Io::WantRead:
            case Io::WantWrite: return MBEDTLS_ERR_SSL_WANT_WRITE;
            default:
                self->io_error_ = r.error.empty() ? "connection closed" : r.error;
                self->io_error_kind_ = r.kind;
                return MBEDTLS_ERR_NET_SEND_FAILED;
        }
    }

    static int bio_recv(void* ctx, unsigned char* buf, size_t len) {
        auto* self = static_cast<TlsTransport*>(ctx);
        auto r = self->tcp_->read(reinterpret_cast<char*>(buf), len);
        switch (r.state) {
            case Io::Done: self->bytes_in_ += r.bytes; return static_cast<int>(r.bytes);
            case Io::WantRead:
            case Io::WantWrite: return MBEDTLS_ERR_SSL_WANT_READ;
            case Io::Eof:
                // A peer that closes without close_notify: the caller decides
                // whether the data so far is complete (Content-Length, chunks).
                self->peer_eof_ = true;
                return MBEDTLS_ERR_NET_CONN_RESET;
            default:
                self->io_error_ = r.error;
                self->io_error_kind_ = r.kind;
                return MBEDTLS_ERR_NET_RECV_FAILED;
        }
    }

    std::unique_ptr<Transport> tcp_;
    std::shared_ptr<TlsConfig> config_;
    std::string host_;
    mbedtls_ssl_context ssl_;
    State state_ = State::Tcp;
    std::string io_error_;
    ErrorKind io_error_kind_ = ErrorKind::Other;  // the TCP layer's kind, passed on
    bool peer_eof_ = false;
    std::optional<std::string> ip_;  // raw address when host_ is an IP literal
    bool ip_mismatch_ = false;       // on_verify() found no matching IP SAN
    size_t bytes_in_ = 0;
};

}  // namespace

Result<std::string> find_ca_bundle(const std::string& explicit_file) {
    if (!explicit_file.empty()) {
        if (::access(explicit_file.c_str(), R_OK) != 0)
            return err("tls: cannot read CA file " + explicit_file, ErrorKind::Config);
        return explicit_file;
    }
    if (const char* env = std::getenv("SSL_CERT_FILE"); env && *env) {
        if (::access(env, R_OK) != 0)
            return err(std::string("tls: cannot read SSL_CERT_FILE ") + env, ErrorKind::Config);
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
    return err("tls: no CA bundle found (set SSL_CERT_FILE, pass --cacert FILE, or --insecure)", ErrorKind::Config);
}

std::string tls_library_version() {
    // The compile-time string: mbedtls_version_get_string() needs
    // MBEDTLS_VERSION_C, which the size-tuned config leaves out, and the
    // headers always come with the library they were built with.
    return "mbedTLS " MBEDTLS_VERSION_STRING;
}

Result<std::shared_ptr<TlsConfig>> make_tls_config(const TlsOptions& options) {
    auto config = std::make_shared<TlsConfig>();
    if (auto st = config->init(options); !st) return st.failure();
    return config;
}

std::unique_ptr<Transport> tls_wrap(std::unique_ptr<Transport> tcp, std::shared_ptr<TlsConfig> config,
                                    const std::string& host) {
    return std::make_unique<TlsTransport>(std::move(tcp), std::move(config), host);
}

Status await_tls13_verdict(Transport& t, Deadline deadline, long grace_ms) {
    if (!t.is_tls()) return ok_status();
    auto* tls = static_cast<TlsTransport*>(&t);
    if (!tls->tls13()) return ok_status();
    Deadline until = Deadline::after_ms(grace_ms).earlier(deadline);
    size_t before = tls->bytes_in();
    for (;;) {
        char buf[512];
        auto r = t.read(buf, sizeof buf);
        if (r.state == Io::Failed) return err(r.error, r.kind);
        if (r.state == Io::Done || r.state == Io::Eof) return ok_status();
        if (tls->bytes_in() != before) return ok_status();
        if (!wait_ready(t.fd(), r.poll_events(), until)) return ok_status();
    }
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// days_from_civil): no timegm(), which depends on the libc and TZ.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t x509_epoch(const mbedtls_x509_time& t) {
    return days_from_civil(t.year, static_cast<unsigned>(t.mon), static_cast<unsigned>(t.day)) * 86400 + t.hour * 3600 +
           t.min * 60 + t.sec;
}

}  // namespace

Result<PeerCertificate> peer_certificate(const Transport& t) {
    if (!t.is_tls()) return err("not a TLS connection", ErrorKind::Tls);
    const auto* tls = static_cast<const TlsTransport*>(&t);
    const mbedtls_x509_crt* crt = tls->peer_cert();
    if (crt == nullptr) return err("the server sent no certificate", ErrorKind::Tls);
    PeerCertificate out;
    out.not_before = x509_epoch(crt->valid_from);
    out.not_after = x509_epoch(crt->valid_to);
    char dn[512];
    if (mbedtls_x509_dn_gets(dn, sizeof dn, &crt->subject) > 0) out.subject = dn;
    return out;
}

}  // namespace hc::net
