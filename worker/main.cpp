// Placeholder entry point while the CLI lands (issue 3).
#include <cstdio>
int main() { std::puts("calllog-worker " CALLLOG_VERSION); return 0; }
