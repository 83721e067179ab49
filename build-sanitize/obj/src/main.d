build-sanitize/obj/src/main.o: src/main.cpp src/container/run.hpp \
 src/smtp/sendmail_cli.hpp src/supervise/run.hpp
src/container/run.hpp:
src/smtp/sendmail_cli.hpp:
src/supervise/run.hpp:
