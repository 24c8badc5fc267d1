#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: huddle <command>\n");
    return 2;
  }
  std::fprintf(stderr, "huddle: unknown command '%s'\n", argv[1]);
  return 2;
}
