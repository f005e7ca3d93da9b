// regua-hub: a placeholder. The hub (ingest from stores over MQTT, storage, the HQ API) is built
// by a later issue; until then this program only says so, and fails, so that nothing mistakes it
// for a working hub.

#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("regua-hub %s (placeholder)\n", REGUA_VERSION);
    return 0;
  }
  std::fprintf(stderr, "regua-hub: the hub is not built yet; only regua-agent runs in this version\n");
  return 1;
}
