// A real ClientHello, for tests of everything that reads one (tls/client_hello, tls::Transport,
// SNI routing): captured from `openssl s_client -connect 127.0.0.1:PORT -servername example.com
// -alpn h2,http/1.1` (OpenSSL 3.0.19) against `nc -l 127.0.0.1 PORT`. One TLS record of 335
// bytes offering TLS 1.3 and 1.2, server name "example.com", ALPN h2 and http/1.1.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ringress::test {

inline std::string openssl_client_hello() {
  constexpr std::string_view kHex =
      "160301014a010001460303fa907d4cb118a2fb6f868b2c718f080e8c41131ac6bb7385aa0e76b2e6"
      "0d1d4f203077a11bc7c0229aba22a1249bbf0ebf7d84600b6627c75d354d1525e9cf951e003e1302"
      "13031301c02cc030009fcca9cca8ccaac02bc02f009ec024c028006bc023c0270067c00ac0140039"
      "c009c0130033009d009c003d003c0035002f00ff010000bf00000010000e00000b6578616d706c65"
      "2e636f6d000b000403000102000a00160014001d0017001e00190018010001010102010301040023"
      "00000010000e000c02683208687474702f312e310016000000170000000d002a0028040305030603"
      "080708080809080a080b080408050806040105010601030303010302040205020602002b00090803"
      "04030303020301002d00020101003300260024001d0020ebb81deb3650c681c586ce12f6ac61fe4e"
      "64d60108aa3e960ccd1112e867501f";
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  std::string out;
  for (std::size_t i = 0; i + 1 < kHex.size(); i += 2)
    out.push_back(static_cast<char>(nibble(kHex[i]) << 4 | nibble(kHex[i + 1])));
  return out;
}

}  // namespace ringress::test
