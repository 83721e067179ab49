build-sanitize/obj/src/net/hosts.o: src/net/hosts.cpp src/net/hosts.hpp \
 src/net/address.hpp
src/net/hosts.hpp:
src/net/address.hpp:
