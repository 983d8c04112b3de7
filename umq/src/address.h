// Mail addresses as mailing-list archives show them. Mailman's pipermail
// obfuscates every "user@host" as "user at host" (its pattern: local part
// [-+,.\w]+, host [-+.\w]+), in headers, trailers and diff lines alike.
// Finding such spots is pure text work; whether to turn one back is decided
// by the caller from evidence (see import.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace umq {

struct ObfuscatedAddress {
  size_t begin = 0, end = 0;  // the "user at host.tld" span in the line
  std::string address;        // "user@host.tld"
};

// Every "user at host.tld" in |line|. The host must contain a dot between
// label characters, so that prose like "allocated at boot" is not taken.
std::vector<ObfuscatedAddress> find_obfuscated_addresses(std::string_view line);

bool has_obfuscated_address(std::string_view line);

// |line| with every obfuscated address turned back into "user@host".
std::string deobfuscate(std::string_view line);

// The archive's author line "Name user at host" (or "user at host (Name)")
// as "Name <user@host>"; "" when it names no address.
std::string author_from_archive_line(std::string_view line);

}  // namespace umq
