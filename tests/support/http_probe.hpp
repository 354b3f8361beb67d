#pragma once
// Test support: one plain HTTP/1.1 GET on 127.0.0.1 (the worker's /metrics, /healthz, /readyz).
#include <cstdint>
#include <string>

namespace calllog::test {

struct HttpAnswer {
  int status = 0;     // 0: no connection or no HTTP answer
  std::string body;
};

HttpAnswer http_get(uint16_t port, const std::string& path);

}  // namespace calllog::test
