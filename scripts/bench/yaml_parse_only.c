/* The floor under `supervise --test`'s load time (scripts/bench-startup.sh):
 * libyaml's event parser alone over the same file, building nothing. Its
 * allocation hooks (scripts/libyaml_alloc.h) go to plain malloc here.
 * Prints the number of events; exit 1 on a parse error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

void *hc_yaml_malloc(size_t size) { return malloc(size); }
void *hc_yaml_realloc(void *ptr, size_t size) { return realloc(ptr, size); }
void hc_yaml_free(void *ptr) { free(ptr); }
char *hc_yaml_strdup(const char *s) { return strdup(s); }

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    FILE *f = fopen(argv[1], "rb");
    if (!f) return 2;
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    unsigned long events = 0;
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) return 1;
        const int end = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
        ++events;
        if (end) break;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    printf("%lu\n", events);
    return 0;
}
