build-sanitize/obj/src/container/cli.o: src/container/cli.cpp \
 src/container/cli.hpp src/util/result.hpp \
 third_party/cxxopts/cxxopts.hpp
src/container/cli.hpp:
src/util/result.hpp:
third_party/cxxopts/cxxopts.hpp:
