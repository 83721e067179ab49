build-sanitize/obj/src/http/exchange.o: src/http/exchange.cpp \
 src/http/exchange.hpp src/http/message.hpp src/net/url.hpp \
 src/util/result.hpp src/http/response_parser.hpp src/net/address.hpp \
 src/net/tls.hpp src/net/transport.hpp src/net/fd.hpp \
 src/util/deadline.hpp
src/http/exchange.hpp:
src/http/message.hpp:
src/net/url.hpp:
src/util/result.hpp:
src/http/response_parser.hpp:
src/net/address.hpp:
src/net/tls.hpp:
src/net/transport.hpp:
src/net/fd.hpp:
src/util/deadline.hpp:
