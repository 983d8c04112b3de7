#include "mime.h"

#include <fmt/format.h>
#include <gmime/gmime.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>

#include "lines.h"

namespace umq {
namespace {

void init_gmime() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

struct Unref {
  void operator()(void* object) const {
    if (object) g_object_unref(object);
  }
};
template <typename T>
using Ref = std::unique_ptr<T, Unref>;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_utf8_or_ascii(std::string_view charset) {
  const std::string c = lower(charset);
  return c.empty() || c == "utf-8" || c == "utf8" || c == "us-ascii" || c == "ascii";
}

// The value of parameter |name| in a raw Content-Type value ("" if none).
std::string parameter(std::string_view value, std::string_view name) {
  const std::string v = lower(value);
  const std::string key = std::string(name) + "=";
  for (size_t pos = v.find(key); pos != std::string::npos; pos = v.find(key, pos + 1)) {
    if (pos > 0 && v[pos - 1] != ';' && v[pos - 1] != ' ' && v[pos - 1] != '\t') continue;
    std::string_view rest = value.substr(pos + key.size());
    if (!rest.empty() && rest.front() == '"') {
      rest.remove_prefix(1);
      return std::string(rest.substr(0, rest.find('"')));
    }
    return std::string(rest.substr(0, rest.find_first_of("; \t")));
  }
  return "";
}

class Decoder {
 public:
  Decoder(std::string_view message, int first_line, const std::string& file)
      : message_(message), first_line_(first_line), file_(file) {}

  DecodedBody run() {
    init_gmime();
    Ref<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(message_.data(), message_.size()));
    Ref<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
    Ref<GMimeMessage> message(g_mime_parser_construct_message(parser.get(), nullptr));
    if (!message) throw ParseError(file_, first_line_, "MIME: the message cannot be parsed");
    GMimeObject* top = g_mime_message_get_mime_part(message.get());
    if (!top) throw ParseError(file_, first_line_, "MIME: the message has no body");
    walk(top);
    if (!found_text_) {
      std::string what;
      for (const std::string& s : left_out_) what += (what.empty() ? "" : ", ") + s;
      throw ParseError(file_, header_line(top),
                       "MIME message without a text part (" +
                           (what.empty() ? std::string("no part found: is the boundary right?") : "only " + what) + ")");
    }
    for (const std::string& s : left_out_) out_.notes.push_back("left out " + s);
    return std::move(out_);
  }

 private:
  // The line of |offset| in the input file.
  int line_at(gint64 offset) const {
    const size_t end = std::min(static_cast<size_t>(std::max<gint64>(offset, 0)), message_.size());
    return first_line_ + static_cast<int>(std::count(message_.begin(), message_.begin() + static_cast<long>(end), '\n'));
  }

  // The line of |object|'s first header (the message's first line if none).
  int header_line(GMimeObject* object) const {
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    gint64 first = -1;
    for (int i = 0; headers && i < g_mime_header_list_get_count(headers); ++i) {
      const gint64 o = g_mime_header_get_offset(g_mime_header_list_get_header_at(headers, i));
      if (o >= 0 && (first < 0 || o < first)) first = o;
    }
    return first < 0 ? first_line_ : line_at(first);
  }

  // Where |object|'s body starts in the input (after its header block), or
  // npos when its headers carry no offset.
  size_t body_offset(GMimeObject* object) const {
    GMimeHeaderList* headers = g_mime_object_get_header_list(object);
    if (!headers || g_mime_header_list_get_count(headers) == 0) return std::string_view::npos;
    gint64 first = -1;
    for (int i = 0; i < g_mime_header_list_get_count(headers); ++i) {
      const gint64 o = g_mime_header_get_offset(g_mime_header_list_get_header_at(headers, i));
      if (o >= 0 && (first < 0 || o < first)) first = o;
    }
    if (first < 0) return std::string_view::npos;
    const size_t blank = message_.find("\n\n", static_cast<size_t>(first));
    return blank == std::string_view::npos ? std::string_view::npos : blank + 2;
  }

  std::string describe(GMimeObject* object) const {
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    std::string what = ct ? fmt::format("{}/{}", g_mime_content_type_get_media_type(ct),
                                        g_mime_content_type_get_media_subtype(ct))
                          : std::string("untyped");
    const size_t body = body_offset(object);
    return fmt::format("a {} part{}", what, body == std::string_view::npos ? "" : fmt::format(" (line {})", line_at(static_cast<gint64>(body))));
  }

  void walk(GMimeObject* object) {
    if (GMIME_IS_MULTIPART(object)) {
      GMimeMultipart* multipart = GMIME_MULTIPART(object);
      const int count = g_mime_multipart_get_count(multipart);
      GMimeContentType* ct = g_mime_object_get_content_type(object);
      const std::string subtype = ct ? lower(g_mime_content_type_get_media_subtype(ct)) : "";
      if (subtype == "alternative") {
        int pick = -1;
        for (int i = 0; i < count && pick < 0; ++i) {
          GMimeObject* part = g_mime_multipart_get_part(multipart, i);
          GMimeContentType* pct = g_mime_object_get_content_type(part);
          if (pct && g_mime_content_type_is_type(pct, "text", "plain")) pick = i;
        }
        for (int i = 0; i < count; ++i) {
          GMimeObject* part = g_mime_multipart_get_part(multipart, i);
          if (i == pick) {
            walk(part);
          } else {
            left_out_.push_back(describe(part) + " (another alternative)");
          }
        }
        return;
      }
      if (GMIME_IS_MULTIPART_SIGNED(object)) {
        if (count > 0) walk(g_mime_multipart_get_part(multipart, 0));
        for (int i = 1; i < count; ++i) left_out_.push_back(describe(g_mime_multipart_get_part(multipart, i)));
        return;
      }
      for (int i = 0; i < count; ++i) walk(g_mime_multipart_get_part(multipart, i));
      return;
    }
    if (!GMIME_IS_PART(object)) {
      left_out_.push_back(describe(object));
      return;
    }
    GMimePart* part = GMIME_PART(object);
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    const std::string type = ct ? lower(g_mime_content_type_get_media_type(ct)) : "text";
    const std::string subtype = ct ? lower(g_mime_content_type_get_media_subtype(ct)) : "plain";
    const char* name = g_mime_part_get_filename(part);
    const std::string file_name = name ? lower(name) : "";
    const auto ends = [&](std::string_view suffix) {
      return file_name.size() > suffix.size() && file_name.compare(file_name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    const bool patch_file = ends(".patch") || ends(".diff");
    const bool text = (type == "text" && subtype != "html") ||
                      (type == "application" && (subtype == "x-patch" || subtype == "x-diff")) || patch_file;
    if (!text) {
      left_out_.push_back(describe(object) + (name ? fmt::format(": {}", name) : ""));
      return;
    }
    add_part(part, object, type + "/" + subtype);
  }

  void add_part(GMimePart* part, GMimeObject* object, const std::string& type) {
    found_text_ = true;
    const size_t body = body_offset(object);
    const int body_line = body == std::string_view::npos ? first_line_ : line_at(static_cast<gint64>(body));
    const GMimeContentEncoding encoding = g_mime_part_get_content_encoding(part);
    GMimeContentType* ct = g_mime_object_get_content_type(object);
    const char* cs = ct ? g_mime_content_type_get_parameter(ct, "charset") : nullptr;
    const std::string charset = cs ? cs : "";

    std::string text;
    if (GMimeDataWrapper* content = g_mime_part_get_content(part)) {
      Ref<GMimeStream> mem(g_mime_stream_mem_new());
      if (!is_utf8_or_ascii(charset)) {
        Ref<GMimeFilter> convert(g_mime_filter_charset_new(charset.c_str(), "UTF-8"));
        if (!convert) {
          throw ParseError(file_, body_line, "MIME: the " + type + " part is in charset \"" + charset +
                                                 "\", which cannot be converted to UTF-8");
        }
        Ref<GMimeStream> filtered(g_mime_stream_filter_new(mem.get()));
        g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.get()), convert.get());
        g_mime_data_wrapper_write_to_stream(content, filtered.get());
        g_mime_stream_flush(filtered.get());
      } else {
        g_mime_data_wrapper_write_to_stream(content, mem.get());
      }
      GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.get()));
      text.assign(reinterpret_cast<const char*>(bytes->data), bytes->len);
    }
    // Decoded CRLF text: plain LF, like the rest of the message.
    std::string lf;
    lf.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
      lf += text[i];
    }

    // The input line of each decoded line.
    std::vector<int> source;
    const bool qp = encoding == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
    const bool b64 = encoding == GMIME_CONTENT_ENCODING_BASE64 || encoding == GMIME_CONTENT_ENCODING_UUENCODE;
    if (!b64 && body != std::string_view::npos) {
      size_t pos = body;
      int line = body_line;
      bool starts = true;
      while (pos < message_.size()) {
        const size_t nl = message_.find('\n', pos);
        std::string_view raw = message_.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (starts) source.push_back(line);
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t')) raw.remove_suffix(1);
        starts = !(qp && !raw.empty() && raw.back() == '=');  // a soft line break goes on
        ++line;
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
      }
    }
    size_t k = 0;
    for (std::string_view l : split_lines(lf)) {
      const int at = k < source.size() ? source[k] : (source.empty() ? body_line : source.back());
      out_.lines.push_back(MailLine{std::string(chomp(l)), at});
      ++k;
    }
    std::string how;
    switch (encoding) {
      case GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE: how = "quoted-printable "; break;
      case GMIME_CONTENT_ENCODING_BASE64: how = "base64 "; break;
      case GMIME_CONTENT_ENCODING_UUENCODE: how = "uuencoded "; break;
      default: break;
    }
    if (!is_utf8_or_ascii(charset)) how += charset + " ";
    out_.notes.push_back(fmt::format("decoded the {}{} part (line {})", how, type, body_line));
  }

  std::string_view message_;
  int first_line_;
  const std::string& file_;
  DecodedBody out_;
  std::vector<std::string> left_out_;
  bool found_text_ = false;
};

}  // namespace

bool needs_mime_decoding(std::string_view content_type, std::string_view transfer_encoding) {
  const std::string ct = lower(content_type);
  const std::string cte = lower(transfer_encoding);
  if (ct.find("multipart/") != std::string::npos) return true;
  if (cte.find("quoted-printable") != std::string::npos || cte.find("base64") != std::string::npos) return true;
  return !is_utf8_or_ascii(parameter(content_type, "charset"));
}

std::string decode_header_words(std::string_view value) {
  if (value.find("=?") == std::string_view::npos) return std::string(value);
  init_gmime();
  const std::string in(value);
  char* decoded = g_mime_utils_header_decode_text(nullptr, in.c_str());
  if (!decoded) return in;
  std::string out(decoded);
  g_free(decoded);
  return out;
}

DecodedBody decode_mime_body(std::string_view message, int first_line, const std::string& file) {
  return Decoder(message, first_line, file).run();
}

}  // namespace umq
