build-sanitize/obj/src/net/address.o: src/net/address.cpp \
 src/net/address.hpp
src/net/address.hpp:
