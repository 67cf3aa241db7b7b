// ChunkedDecoder: every chunk line RFC 9112 §7.1.1 allows is accepted and every malformed one
// refused, with the same result wherever the input is split.
#include "http/chunked_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace ringress::http {
namespace {

// The decoder's verdict on `bytes` fed in the pieces given by `cuts`: the data, then "|last"
// and the bytes after the last-chunk line, or "|error <reason>".
std::string transcript(std::string_view bytes, std::vector<std::size_t> cuts) {
  ChunkedDecoder d;
  std::string out;
  std::size_t from = 0;
  cuts.push_back(bytes.size());
  for (std::size_t cut : cuts) {
    std::string_view piece = bytes.substr(from, cut - from);
    from = cut;
    std::size_t at = 0;
    for (;;) {
      ChunkedDecoder::Result r = d.decode(piece.data() + at, piece.data() + piece.size());
      EXPECT_LE(at + r.consumed, piece.size());
      at += r.consumed;
      if (r.status == ChunkedDecoder::Status::need_more) {
        EXPECT_EQ(at, piece.size());
        break;
      }
      if (r.status == ChunkedDecoder::Status::data) {
        EXPECT_GT(r.data, 0u);
        out.append(piece.substr(at - r.data, r.data));
        continue;
      }
      if (r.status == ChunkedDecoder::Status::error) return out + "|error " + d.error();
      std::string rest(piece.substr(at));
      rest.append(bytes.substr(from));
      return out + "|last " + rest;
    }
  }
  return out + "|need more";
}

// The same transcript at every cut into two pieces, and in one-byte pieces.
std::string same_at_every_cut(std::string_view bytes) {
  const std::string whole = transcript(bytes, {});
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut)
    EXPECT_EQ(transcript(bytes, {cut}), whole) << "cut at " << cut << " of " << bytes;
  std::vector<std::size_t> bytewise;
  for (std::size_t i = 1; i < bytes.size(); ++i) bytewise.push_back(i);
  EXPECT_EQ(transcript(bytes, bytewise), whole) << "one-byte pieces of " << bytes;
  return whole;
}

TEST(ChunkedDecoderTest, ExtensionsTheRfcAllows) {
  const char* const lines[] = {
      "3;name=value;q=\"quoted\"",  // the line of issue 9
      "3;a",
      "3;a;b;c",
      "3;a=b;c;d=\"\"",
      "3 ; a ; b = c ;d=\"e\"",        // BWS around ";" and "="
      "3\t;\ta\t=\t\"q;=\\\"x\\\\\"",  // quoted-pairs, ";" and "=" inside quotes
      "3;a=\"\x80\xff \t!#[]~\"",      // obs-text, SP, HTAB and the edges of qdtext
      "3;a=\"\\\x80\\\t\\ \"",         // quoted-pair of obs-text, HTAB, SP
      "3;!#$%&'*+-.^_`|~09azAZ=!#$%&'*+-.^_`|~09azAZ",
      "3;a=\"b\" ;c",
      "0003",
      "3",
  };
  for (const char* line : lines) {
    std::string bytes = std::string(line) + "\r\nabc\r\n0;last=\"1\"\r\nTrailer: x\r\n\r\n";
    EXPECT_EQ(same_at_every_cut(bytes), "abc|last Trailer: x\r\n\r\n") << line;
  }
}

TEST(ChunkedDecoderTest, ManyChunksAndHexSizes) {
  EXPECT_EQ(same_at_every_cut("1\r\na\r\nA;x=y\r\n0123456789\r\nf\r\nabcdefghijklmno\r\n"
                              "00\r\n\r\n"),
            "a0123456789abcdefghijklmno|last \r\n");
}

struct Bad {
  const char* bytes;
  const char* reason;
};

TEST(ChunkedDecoderTest, MalformedChunkLinesAreRefused) {
  const Bad bad[] = {
      {"\r\nabc\r\n", "Invalid character in chunk size"},
      {"g\r\n", "Invalid character in chunk size"},
      {"-3\r\n", "Invalid character in chunk size"},
      {"+3\r\n", "Invalid character in chunk size"},
      {"0x3\r\n", "Invalid character in chunk size"},
      {" 3\r\n", "Invalid character in chunk size"},
      {"3 \r\n", "Invalid character in chunk size"},
      {"3 a\r\n", "Invalid character in chunk size"},
      {"3\nabc\r\n", "Invalid character in chunk size"},
      {"1ffffffffffffffff\r\n", "Chunk size overflow"},
      {"10000000000000000\r\n", "Chunk size overflow"},
      {"3;\r\n", "Invalid character in chunk extensions"},
      {"3;;a\r\n", "Invalid character in chunk extensions"},
      {"3;=v\r\n", "Invalid character in chunk extensions"},
      {"3;a=\r\n", "Invalid character in chunk extensions"},
      {"3;a= \r\n", "Invalid character in chunk extensions"},
      {"3;a \r\n", "Invalid character in chunk extensions"},
      {"3;a=b \r\n", "Invalid character in chunk extensions"},
      {"3;a=\"b\" \r\n", "Invalid character in chunk extensions"},
      {"3;a=b c\r\n", "Invalid character in chunk extensions"},
      {"3;a=\"b\"c\r\n", "Invalid character in chunk extensions"},
      {"3;a@b\r\n", "Invalid character in chunk extensions"},
      {"3;a=b\"c\"\r\n", "Invalid character in chunk extensions"},
      {"3;a=b=c\r\n", "Invalid character in chunk extensions"},
      {"3;a=\xc3\xa9\r\n", "Invalid character in chunk extensions"},
      {"3;a=\"b\r\nabc\r\n", "unterminated quoted-string in chunk extension"},
      {"3;a=\"b\\\r\n", "unterminated quoted-string in chunk extension"},
      {"3;a=\"b\nc\"\r\n", "unterminated quoted-string in chunk extension"},
      {"3;a=\"b\x01\"\r\n", "control character"},
      {"3;a=\"\\\x01\"\r\n", "control character"},
      {"3;a=\"b\x7f\"\r\n", "control character"},
      {"3;a=\x01\r\n", "control character"},
      {"3;a=b\x7f\r\n", "control character"},
      {"3;a=b\nabc\r\n", "bare LF as line terminator"},
      {"3;a\n", "bare LF as line terminator"},
      {"3\r\rabc\r\n", "CR not followed by LF"},
      {"3;a=b\rabc\r\n", "CR not followed by LF"},
      {"3\r\nabcd\r\n", "Expected CRLF after chunk"},
      {"3\r\nabc\n0\r\n\r\n", "Expected CRLF after chunk"},
      {"3\r\nabc\r0\r\n\r\n", "Expected CRLF after chunk"},
      {"0\n\r\n", "Invalid character in chunk size"},
  };
  for (const Bad& b : bad) {
    std::string bytes = b.bytes;
    std::string got = same_at_every_cut(bytes);
    EXPECT_EQ(got.substr(got.find('|')), std::string("|error ") + b.reason) << bytes;
  }
  // A NUL inside the extension (the literal above stops at it).
  EXPECT_EQ(same_at_every_cut(std::string("3;a\0\r\n", 6)), "|error control character");
}

TEST(ChunkedDecoderTest, FramingBetweenDataIsBounded) {
  // Exactly the limit: the CRLF after the data plus a 4094-byte chunk-size line with its CRLF.
  std::string line = "1;a=" + std::string(ChunkedDecoder::kMaxFraming - 2 - 4 - 2, 'b');
  std::string ok = "1\r\nx\r\n" + line + "\r\ny\r\n0\r\n\r\n";
  EXPECT_EQ(transcript(ok, {}), "xy|last \r\n");
  std::string over = "1\r\nx\r\n" + line + "b\r\ny\r\n0\r\n\r\n";
  EXPECT_EQ(transcript(over, {}), "x|error chunk size line too long");

  // The 64 KiB extension of issue 9, whole and dribbled: refused once past the limit, before
  // the rest arrives.
  std::string huge = "3;a=" + std::string(64 * 1024, 'b') + "\r\nabc\r\n0\r\n\r\n";
  EXPECT_EQ(transcript(huge, {}), "|error chunk size line too long");
  ChunkedDecoder d;
  std::size_t fed = 0;
  ChunkedDecoder::Result r{};
  while (fed < huge.size()) {
    r = d.decode(huge.data() + fed, huge.data() + fed + 1000);
    fed += r.consumed;
    if (r.status == ChunkedDecoder::Status::error) break;
  }
  EXPECT_EQ(r.status, ChunkedDecoder::Status::error);
  EXPECT_EQ(fed, ChunkedDecoder::kMaxFraming);
  // Leading zeros count too.
  EXPECT_EQ(transcript(std::string(5000, '0') + "1\r\nx\r\n", {}),
            "|error chunk size line too long");
}

TEST(ChunkedDecoderTest, StaysInErrorAndAfterTheLastChunk) {
  ChunkedDecoder d;
  std::string_view bad = "z";
  EXPECT_EQ(d.decode(bad.data(), bad.data() + 1).status, ChunkedDecoder::Status::error);
  EXPECT_EQ(d.decode(bad.data(), bad.data() + 1).status, ChunkedDecoder::Status::error);
  d.reset();
  std::string_view last = "0\r\nX: y\r\n";
  ChunkedDecoder::Result r = d.decode(last.data(), last.data() + last.size());
  EXPECT_EQ(r.status, ChunkedDecoder::Status::last_chunk);
  EXPECT_EQ(r.consumed, 3u);
  r = d.decode(last.data() + 3, last.data() + last.size());
  EXPECT_EQ(r.status, ChunkedDecoder::Status::last_chunk);
  EXPECT_EQ(r.consumed, 0u);
}

}  // namespace
}  // namespace ringress::http
