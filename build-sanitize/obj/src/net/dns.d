build-sanitize/obj/src/net/dns.o: src/net/dns.cpp src/net/dns.hpp \
 src/net/address.hpp src/net/hosts.hpp src/util/deadline.hpp \
 src/util/result.hpp
src/net/dns.hpp:
src/net/address.hpp:
src/net/hosts.hpp:
src/util/deadline.hpp:
src/util/result.hpp:
