build-sanitize/obj/src/http/message.o: src/http/message.cpp \
 src/http/message.hpp src/net/url.hpp src/util/result.hpp \
 src/util/crypto.hpp
src/http/message.hpp:
src/net/url.hpp:
src/util/result.hpp:
src/util/crypto.hpp:
