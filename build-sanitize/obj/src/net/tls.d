build-sanitize/obj/src/net/tls.o: src/net/tls.cpp src/net/tls.hpp \
 src/net/transport.hpp src/net/address.hpp src/net/fd.hpp \
 src/util/deadline.hpp src/util/result.hpp
src/net/tls.hpp:
src/net/transport.hpp:
src/net/address.hpp:
src/net/fd.hpp:
src/util/deadline.hpp:
src/util/result.hpp:
