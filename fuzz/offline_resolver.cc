// getaddrinfo for the fuzz targets and their regression test: numeric addresses only ("localhost"
// as 127.0.0.1), so a config naming hosts never waits on DNS or sends a query. It replaces the C
// library's function (a definition in the program comes first) and passes numeric lookups on.
#include <dlfcn.h>
#include <netdb.h>

#include <cstring>

extern "C" int getaddrinfo(const char* node, const char* service, const addrinfo* hints,
                           addrinfo** res) {
  using Fn = int (*)(const char*, const char*, const addrinfo*, addrinfo**);
  static const Fn next = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "getaddrinfo"));
  if (!next) return EAI_FAIL;
  addrinfo numeric = hints ? *hints : addrinfo{};
  numeric.ai_flags |= AI_NUMERICHOST;
  if (node && std::strcmp(node, "localhost") == 0) node = "127.0.0.1";
  return next(node, service, &numeric, res);
}
