build-sanitize/obj/src/net/resolver.o: src/net/resolver.cpp \
 src/net/resolver.hpp src/net/address.hpp src/util/deadline.hpp \
 src/util/result.hpp src/net/dns.hpp src/net/hosts.hpp
src/net/resolver.hpp:
src/net/address.hpp:
src/util/deadline.hpp:
src/util/result.hpp:
src/net/dns.hpp:
src/net/hosts.hpp:
