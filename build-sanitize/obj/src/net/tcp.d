build-sanitize/obj/src/net/tcp.o: src/net/tcp.cpp src/net/transport.hpp \
 src/net/address.hpp src/net/fd.hpp src/util/deadline.hpp \
 src/util/result.hpp
src/net/transport.hpp:
src/net/address.hpp:
src/net/fd.hpp:
src/util/deadline.hpp:
src/util/result.hpp:
