/* Forced into every libyaml file of the musl build (scripts/build-musl.sh,
 * -include): libyaml allocates only through malloc, realloc, free and
 * strdup in its api.c, and these send them to the config parser's pool
 * (src/yaml/pool.hpp says why). The system headers come first, so their
 * own declarations keep the real names. */
#include <stdlib.h>
#include <string.h>
void *hc_yaml_malloc(size_t size);
void *hc_yaml_realloc(void *ptr, size_t size);
void hc_yaml_free(void *ptr);
char *hc_yaml_strdup(const char *s);
#define malloc hc_yaml_malloc
#define realloc hc_yaml_realloc
#define free hc_yaml_free
#define strdup hc_yaml_strdup
