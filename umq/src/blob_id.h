// Git blob ids: the SHA-1 of "blob <len>\0<data>", and matching against the
// abbreviated ids found on "index <pre>..<post>" lines of a patch.
#pragma once

#include <string>
#include <string_view>

namespace umq {

// Full 40-hex-digit lowercase git blob id of |data|.
std::string blob_id(std::string_view data);

// True if |abbrev| (4..40 hex digits, any case) is a prefix of |full_id|.
bool id_matches(std::string_view abbrev, std::string_view full_id);

// True if |abbrev| is all zeros: git's marker for "no file" on an index line.
bool is_null_id(std::string_view abbrev);

// True if |text| looks like an (abbreviated) object id: 4..40 hex digits.
bool is_hex_id(std::string_view text);

}  // namespace umq
