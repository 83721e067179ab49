build-sanitize/obj/src/net/entropy_getrandom.o: \
 src/net/entropy_getrandom.cpp
