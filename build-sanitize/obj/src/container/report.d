build-sanitize/obj/src/container/report.o: src/container/report.cpp \
 src/container/report.hpp src/http/message.hpp src/net/url.hpp \
 src/util/result.hpp third_party/picojson/picojson.h
src/container/report.hpp:
src/http/message.hpp:
src/net/url.hpp:
src/util/result.hpp:
third_party/picojson/picojson.h:
