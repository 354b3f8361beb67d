#pragma once
// Turning a Beast request into a MockRequest (query decoding, lowercased headers, JSON body).
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "mock.hpp"

namespace mock {

// Fills `out`; `headers_json` receives the headers as a JSON object with names as received.
void to_mock_request(boost::beast::http::request<boost::beast::http::string_body>& msg,
                     MockRequest& out, std::string& headers_json);

std::string percent_decode(std::string_view s, bool plus_is_space);

}  // namespace mock
