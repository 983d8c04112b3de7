// Splitting text into lines that keep their terminator, so that joining them
// back gives the exact bytes (CRLF and a missing final newline survive).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace umq {

// Each element ends with '\n' except possibly the last one. "" -> {}.
std::vector<std::string_view> split_lines(std::string_view text);

// The line without its trailing "\n" (and "\r\n").
std::string_view chomp(std::string_view line);

bool starts_with(std::string_view s, std::string_view prefix);

// "1 file", "2 files" ("1 patch", "3 patches": |plural_form| when not +s).
std::string count_of(size_t n, std::string_view singular, std::string_view plural_form = "");

// A printable, shortened rendering of a line for error messages.
std::string quote_line(std::string_view line, size_t max = 60);

}  // namespace umq
