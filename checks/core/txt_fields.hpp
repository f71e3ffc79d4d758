// The field syntax MTA-STS (RFC 8461 §3.1) and TLS-RPT (RFC 8460 §3) TXT records share: a version,
// then name=value fields separated by *WSP ";" *WSP, and the extension fields' name and value.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace mh::txt_fields {

// True when `text` starts with `version` followed by its end, ";" or WSP.
bool beginsWithVersion(std::string_view text, std::string_view version);

// Reads the fields after `version` (which `text` begins with; trailing WSP is tolerated) and
// hands each to `field` in order; the first problem, the reader's or `field`'s, ends the reading
// and is returned ("" when none). With `wsp_in_values` a value runs to the next ";" less its
// trailing WSP (TLS-RPT's comma-separated rua); without, WSP ends it too (MTA-STS).
std::string readFields(
    std::string_view text, std::string_view version, bool wsp_in_values,
    const std::function<std::string(std::string_view name, std::string_view value)>& field);

// The problem with an extension field, or "": ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" /
// "-" / "."), ext-value = 1*(%x21-3A / %x3C / %x3E-7E).
std::string extensionProblem(std::string_view name, std::string_view value);

}  // namespace mh::txt_fields
