build-sanitize/obj/src/http/response_parser.o: \
 src/http/response_parser.cpp src/http/response_parser.hpp \
 src/http/message.hpp src/net/url.hpp src/util/result.hpp
src/http/response_parser.hpp:
src/http/message.hpp:
src/net/url.hpp:
src/util/result.hpp:
