#include "net/connect.hpp"

namespace hc::net {

Result<Connected> connect_first(const std::vector<Address>& addresses, std::shared_ptr<TlsConfig> tls,
                                const std::string& host, Deadline deadline) {
    if (addresses.empty()) return err("no address to connect to", ErrorKind::Resolve);
    Error last = err("no address to connect to", ErrorKind::Resolve);
    for (size_t i = 0; i < addresses.size(); ++i) {
        if (i > 0 && deadline.expired()) break;
        auto left = deadline.at() - Clock::now();
        Deadline share = Deadline(Clock::now() + left / static_cast<long>(addresses.size() - i)).earlier(deadline);
        const Address& peer = addresses[i];
        auto tcp = tcp_connect_start(peer);
        if (!tcp) {
            last = tcp.failure();
            continue;
        }
        if (auto st = establish_blocking(**tcp, share, "connect " + peer.str()); !st) {
            last = st.failure();
            continue;
        }
        if (!tls) return Connected{std::move(*tcp), peer};
        auto wrapped = tls_wrap(std::move(*tcp), tls, host);
        if (auto st = establish_blocking(*wrapped, deadline, "tls handshake with " + peer.str()); !st)
            return st.failure();
        return Connected{std::move(wrapped), peer};
    }
    return last;
}

}  // namespace hc::net
